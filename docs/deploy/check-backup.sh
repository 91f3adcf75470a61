#!/bin/sh
# Check a privacybot backup: restore it into a scratch database and verify it there.
# Nothing of the live service is read or written (docs/deploy.md, "Test the backups").
#
#   check-backup.sh BACKUP_FILE [EMPTY_DATABASE_URL]
#
# A SQLite backup (.db) is restored into a temporary file, removed afterwards. A
# PostgreSQL dump (.dump) is restored into the empty scratch database named by URL;
# drop and re-create it before the next run. The exit status is 0 only when the restore
# worked and the restored audit chain verifies; the last line says how many cases the
# backup holds. PRIVACYBOT is the command to run (default: privacybot on the PATH).
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 BACKUP_FILE [EMPTY_DATABASE_URL]" >&2
    exit 2
fi
backup=$1
case $backup in
    *.dump)
        if [ $# -ne 2 ]; then
            echo "$0: a PostgreSQL dump needs an empty database URL to restore into" >&2
            exit 2
        fi ;;
esac

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
url=${2:-sqlite:///$scratch/restored.db}
printf '[database]\nurl = "%s"\n[outbox]\nfolder = "%s/outbox"\n' "$url" "$scratch" \
    > "$scratch/check.toml"

# Settings in the environment win over a configuration file: without this, a shell or a
# systemd unit that names the live database would have the copy restored into it.
for name in $(env | sed -n 's/^\(PRIVACYBOT_[A-Za-z0-9_]*\)=.*/\1/p'); do
    unset "$name"
done

pb() { ${PRIVACYBOT:-privacybot} --config "$scratch/check.toml" "$@"; }
pb restore "$backup"
pb audit verify
cases=$(pb cases --json)
printf '%s\n' "$cases" | grep -c '"ref"' | sed 's/$/ cases in the backup/'
