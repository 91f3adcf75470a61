"""Issue 9 item 6: Best Practical Request Tracker 5 fed the same mails, next to privacybot.

Needs Debian's packages (``apt-get install request-tracker5 rt5-db-sqlite rt5-standalone
rt5-clients``); without them ``python -m bench`` prints one line and skips this. Nothing
of the system's RT is used or changed: every run builds its own instance in a temp folder
and removes it afterwards.

* Configuration: RT reads ``RT_SITE_CONFIG`` instead of ``/etc/request-tracker5/
  RT_SiteConfig.pm`` and ``RT_SITE_CONFIG_DIR`` (an empty folder) instead of Debian's
  ``RT_SiteConfig.d`` (which points at the dbconfig database under ``/var/lib``). The
  site config sets SQLite in the temp folder, the web server on 127.0.0.1 and a spare
  port, logging to stderr only, and Mason's cache and sessions in the temp folder.
* Outgoing mail: ``$MailCommand = 'sendmailpipe'`` with ``$SendmailPath`` a two-line
  script that writes each mail to its own file, as privacybot's ``.eml`` outbox does.
  Autoreply is RT's own default scrip, "On Create Autoreply To Requestors", left on.
* Database: ``rt-setup-database --action init`` (schema, core data, RT's initial data),
  then ``--action insert`` of a data file that grants the group Everyone CreateTicket on
  the queue General: a fresh RT refuses mail from senders it does not know.
* Server: ``rt-server`` (Starlet, prefork, as ``rt5-standalone`` installs it) with
  ``--host 127.0.0.1``. Mail goes in with ``rt-mailgate --queue General --action
  correspond --url http://127.0.0.1:PORT/``, 8 at a time. ``rt-mailgate`` exits 0 even
  when RT refused the mail, so what counts is the tickets in RT's database. It returns
  when RT has created the ticket and run its scrips (the autoreply among them), so the
  time from the first call to the last return is RT's end to end.
* Warm-up: 16 other mails go in first and are not counted, because each prefork worker
  compiles RT's Mason components on its first request (privacybot, too, has started and
  idled for 3 s before its timing begins).

In the same run, privacybot takes the same mails (same generator and tag) over 8 SMTP
connections, end to end (decided, cases opened, acknowledgements written), as in item 1.
Run alone: ``python -m bench --only rt`` or ``python -m bench.rt_peer [-n N]``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench import ingest, procs
from bench.mails import COMPANY, Mail, make_mails

RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
RT_SETUP = Path("/usr/sbin/rt-setup-database")
RT_MAILGATE = Path("/usr/bin/rt-mailgate")
INSTALL = "apt-get install request-tracker5 rt5-db-sqlite rt5-standalone rt5-clients"
#: RT's start-up compiles a lot of Perl; on a busy 2-core machine it takes tens of seconds.
START_TIMEOUT = 240.0
#: Mails fed to RT before the timed run, and not counted (2 per connection).
WARM_UP = 16

_GRANTS = """\
# A fresh RT refuses mail from senders it does not know: let Everyone open tickets here.
@ACL = (
    { GroupDomain => 'SystemInternal', GroupType => 'Everyone',
      Right => 'CreateTicket', Queue => 'General' },
);
1;
"""


def unavailable() -> str | None:
    """Why RT cannot run here, or None."""
    for path in (RT_SERVER, RT_SETUP, RT_MAILGATE):
        if not path.exists():
            return f"{path} is missing ({INSTALL})"
    return None


class RequestTracker:
    """One throw-away RT 5 instance in ``root``: set up, started, counted, stopped."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = procs.free_port()
        self.db = root / "rt.db"
        self.outgoing = root / "outgoing"
        self._server: subprocess.Popen[bytes] | None = None
        for sub in ("site.d", "mason", "sessions", "outgoing"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        sendmail = root / "sendmail"
        sendmail.write_text(
            "#!/bin/sh\n# RT's sendmailpipe: each outgoing mail becomes one file.\n"
            f'exec cat > "{self.outgoing}/$(date +%s%N).$$.eml"\n',
            encoding="utf-8",
        )
        sendmail.chmod(0o755)
        url = f"http://127.0.0.1:{self.port}"
        company_domain = COMPANY.partition("@")[2]
        (root / "RT_SiteConfig.pm").write_text(
            f"""# Written by bench/rt_peer.py for one benchmark run; removed afterwards.
Set($rtname, 'bench.example');
Set($Organization, 'bench.example');
Set($CorrespondAddress, '{COMPANY}');
Set($CommentAddress, 'comment@{company_domain}');
Set($WebDomain, '127.0.0.1');
Set($WebPort, {self.port});
Set($WebPath, '');
Set($WebBaseURL, '{url}');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '{self.db}');
Set($MailCommand, 'sendmailpipe');
Set($SendmailPath, '{sendmail}');
Set($LogToSyslog, undef);
Set($LogToFile, undef);
Set($LogToSTDERR, 'warning');
Set($Timezone, 'UTC');
$RT::MasonDataDir = '{root / "mason"}';
$RT::MasonSessionDir = '{root / "sessions"}';
1;
""",
            encoding="utf-8",
        )
        (root / "grants.pl").write_text(_GRANTS, encoding="utf-8")
        self.env = {
            **os.environ,
            "RT_SITE_CONFIG": str(root / "RT_SiteConfig.pm"),
            "RT_SITE_CONFIG_DIR": str(root / "site.d"),
        }
        self.url = url + "/"

    def _run(self, args: list[str]) -> None:
        done = subprocess.run(args, cwd=self.root, env=self.env, capture_output=True,
                              text=True, timeout=600, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}"[-3000:])

    def setup(self) -> None:
        self._run([str(RT_SETUP), "--action", "init", "--skip-create"])
        self._run([str(RT_SETUP), "--action", "insert", "--datafile",
                   str(self.root / "grants.pl")])

    def start(self) -> None:
        with (self.root / "server.log").open("ab") as log:
            self._server = subprocess.Popen(
                [str(RT_SERVER), "--host", "127.0.0.1", "--port", str(self.port)],
                cwd=self.root, env=self.env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        try:
            procs.wait_port(self.port, self._server, timeout=START_TIMEOUT)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """SIGTERM to the server's own process group (master and its workers), then wait."""
        server, self._server = self._server, None
        if server is None:
            return
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, sig)
            try:
                server.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue

    def mailgate(self, raw: bytes) -> int:
        done = subprocess.run(
            [str(RT_MAILGATE), "--queue", "General", "--action", "correspond", "--url",
             self.url, "--timeout", "300"],
            input=raw, capture_output=True, env=self.env, check=False,
        )
        return done.returncode

    def tickets(self) -> int:
        db = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=60)
        try:
            return int(db.execute("SELECT count(*) FROM Tickets WHERE Type = 'ticket'")
                       .fetchone()[0])
        finally:
            db.close()

    def sent(self) -> int:
        return sum(1 for _ in self.outgoing.iterdir())

    def log_tail(self) -> str:
        return (self.root / "server.log").read_text(errors="replace")[-2000:]


@dataclass
class PeerRun:
    rt_seconds: float
    tickets: int
    rt_autoreplies: int
    mailgate_failures: int
    pb_rate: float  # privacybot mails/s end to end
    pb_cases: int
    pb_acks: int
    pb_seconds: float

    @property
    def rt_tickets_per_s(self) -> float:
        return self.tickets / self.rt_seconds

    @property
    def pb_cases_per_s(self) -> float:
        return self.pb_cases / self.pb_seconds


def feed_rt(rt: RequestTracker, mails: list[Mail], concurrency: int = 8) -> tuple[float, int]:
    """Every mail through ``rt-mailgate``, ``concurrency`` at a time; (seconds, non-zero exits)."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        codes = list(pool.map(lambda m: rt.mailgate(m.data), mails))
    return time.perf_counter() - t0, sum(1 for c in codes if c != 0)


def one_run(folder: Path, n: int, tag: str, connections: int = 8) -> PeerRun:
    rate, _, counts, _ = ingest.run_service(folder / "privacybot", n, tag, connections)
    mails = make_mails(n, tag=tag)  # the very mails privacybot just took
    rt = RequestTracker(folder / "rt")
    try:
        rt.setup()
        rt.start()
        # Each prefork worker compiles RT's Mason components on its first request; the
        # service under test had its start-up too, so that is not timed.
        feed_rt(rt, make_mails(WARM_UP, tag=f"{tag}w"), connections)
        tickets0, sent0 = rt.tickets(), rt.sent()
        seconds, failures = feed_rt(rt, mails, connections)
        tickets, autoreplies = rt.tickets() - tickets0, rt.sent() - sent0
    except BaseException:
        print(rt.log_tail())
        raise
    finally:
        rt.stop()
    return PeerRun(seconds, tickets, autoreplies, failures, rate, counts["cases"],
                   counts["acks_sent"], n / rate)


def peer(n: int, runs: int, *, log=print) -> dict:  # type: ignore[no-untyped-def]
    import statistics

    per_run = []
    with tempfile.TemporaryDirectory(prefix="privacybot-bench-rt-") as tmp:
        for i in range(runs):
            folder = Path(tmp) / f"run{i}"
            r = one_run(folder, n, f"rt{i}")
            per_run.append(r)
            log(f"  run {i + 1}/{runs}: {n} mails. RT: {r.tickets} tickets in "
                f"{r.rt_seconds:.1f} s = {r.rt_tickets_per_s:.2f} tickets/s, "
                f"{r.rt_autoreplies} autoreplies written, {r.mailgate_failures} rt-mailgate "
                f"failures. privacybot: {r.pb_rate:.1f} mails/s end to end, {r.pb_cases} "
                f"cases in {r.pb_seconds:.1f} s = {r.pb_cases_per_s:.1f} cases/s, "
                f"{r.pb_acks} acks written. privacybot/RT mails per second: "
                f"{r.pb_rate / (n / r.rt_seconds):.0f}x")
            shutil.rmtree(folder, ignore_errors=True)
    med = statistics.median
    return {
        "mails": n, "runs": runs,
        "rt_tickets_per_s": med(r.rt_tickets_per_s for r in per_run),
        "rt_mails_per_s": med(n / r.rt_seconds for r in per_run),
        "rt_tickets": med(r.tickets for r in per_run),
        "rt_autoreplies": med(r.rt_autoreplies for r in per_run),
        "rt_mailgate_failures": max(r.mailgate_failures for r in per_run),
        "privacybot_mails_per_s": med(r.pb_rate for r in per_run),
        "privacybot_cases_per_s": med(r.pb_cases_per_s for r in per_run),
        "privacybot_cases": med(r.pb_cases for r in per_run),
        "privacybot_acks": med(r.pb_acks for r in per_run),
        "ratio_mails_per_s": med(r.pb_rate / (n / r.rt_seconds) for r in per_run),
    }


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=500, help="mails per run (default 500)")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    reason = unavailable()
    if reason:
        print(f"Request Tracker peer skipped: {reason}")
        return 0
    print(peer(args.n, args.runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
