"""A real Dovecot IMAP server in a temp folder on a spare loopback port.

Mocks of IMAP miss exactly what the watcher must survive: the ``UID n:*`` answer that
always holds the highest UID, IDLE's half-second notification delay, a ``BYE`` and a
closed socket on restart, a UIDVALIDITY change. So tests run Debian's ``dovecot-imapd``
as ``research/dovecot.md`` found it must be run: started as root, login processes as
``dovenull``, mail owned by ``mail``, ``base_dir`` reachable by them all, "ready" meaning
that a login succeeds, and "stopped" meaning that the port is closed.

The temp folder is made with ``tempfile`` under ``/tmp`` rather than pytest's
``tmp_path``, because pytest's folders are private to root and Dovecot's unprivileged
processes could not reach their ``base_dir``.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from imapclient import IMAPClient

DOVECOT = "/usr/sbin/dovecot"
DOVEADM = "/usr/bin/doveadm"
START_TIMEOUT = 15.0


class _PortTaken(RuntimeError):
    """Another process bound the port between our probe and Dovecot's bind."""


class DovecotUnavailable(RuntimeError):
    """Dovecot cannot run here; the reason is the message (for skip or fail)."""


def unavailable_reason() -> str | None:
    """Why Dovecot cannot be started on this machine, or None when it can."""
    if not Path(DOVECOT).exists():
        return f"{DOVECOT} is missing: apt-get install -y dovecot-imapd"
    if os.geteuid() != 0:
        return "Dovecot is started as root by the test fixture (it drops privileges itself)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    """True while the process runs; a zombie (nobody reaps it in a container) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _group_has_live_members(pgid: int) -> bool:
    """Whether a process group still has a member that is not a zombie.

    Our own not-yet-reaped master is a zombie in the group, so ``killpg(pgid, 0)`` alone
    would report the group alive until ``wait()``.
    """
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


class Dovecot:
    """One Dovecot instance; ``restart()`` keeps its port and its mail.

    With ``tls=True`` a self-signed certificate (for ``localhost`` and ``127.0.0.1``) is
    made, STARTTLS is offered on ``port`` and implicit TLS on ``tls_port``; ``ca_file`` is
    the certificate a client must trust.
    """

    def __init__(
        self,
        *,
        user: str = "info",
        password: str | None = None,
        tls: bool = False,
        extra_config: str = "",
    ) -> None:
        reason = unavailable_reason()
        if reason:
            raise DovecotUnavailable(reason)
        self.user = user
        self.password = password or f"secret-{secrets.token_hex(8)}"
        self._started = False
        self.host = "127.0.0.1"
        self.tls = tls
        self.extra_config = extra_config
        self.root = Path(tempfile.mkdtemp(prefix="privacybot-dovecot-"))
        self.root.chmod(0o755)
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        self.ca_file = self.root / "cert.pem"
        self._process: subprocess.Popen[bytes] | None = None
        self._write_config()

    # --- life cycle -----------------------------------------------------------------

    @property
    def config(self) -> Path:
        return self.root / "dovecot.conf"

    @property
    def log_file(self) -> Path:
        return self.root / "dovecot.log"

    def _write_config(self) -> None:
        d = self.root
        for sub in ("run", "state", "mail"):
            (d / sub).mkdir(exist_ok=True)
            (d / sub).chmod(0o755)
        shutil.chown(d / "mail", "mail", "mail")
        passwd = self._passwd_file
        self.set_password(self.password)
        tls_block = "ssl = no\n"
        listeners = (
            f"  inet_listener imap {{\n    address = 127.0.0.1\n    port = {self.port}\n  }}\n"
        )
        if self.tls:
            key = d / "key.pem"
            subprocess.run(
                [
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-keyout",
                    str(key),
                    "-out",
                    str(self.ca_file),
                    "-subj",
                    "/CN=localhost",
                    "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1",
                ],
                check=True,
                capture_output=True,
            )
            tls_block = f"ssl = yes\nssl_cert = <{self.ca_file}\nssl_key = <{key}\n"
            listeners += (
                f"  inet_listener imaps {{\n    address = 127.0.0.1\n    port = {self.tls_port}\n"
                "    ssl = yes\n  }\n"
            )
        self.config.write_text(
            f"""first_valid_uid = 1
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
{tls_block}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
log_path = {self.log_file}
mail_location = maildir:{d}/mail/%u
default_internal_user = dovecot
default_login_user = dovenull
service imap-login {{
{listeners}}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid=mail gid=mail home={d}/mail/%u
}}
{self.extra_config}
""",
            encoding="utf-8",
        )

    @property
    def _passwd_file(self) -> Path:
        return self.root / "passwd"

    def set_password(self, password: str) -> None:
        """Change the owner's password; Dovecot re-reads the file when it changes."""
        self.password = password
        tmp = self._passwd_file.with_suffix(".tmp")
        tmp.write_text(f"{self.user}:{{PLAIN}}{password}::::::\n", encoding="utf-8")
        tmp.chmod(0o644)
        tmp.replace(self._passwd_file)

    def start(self) -> None:
        """Start and wait until a login succeeds (the port opens before auth is ready).

        On the first start a port taken in the meantime (another test run picked the
        same free port) means new ports; on a restart the port must stay, so it fails.
        """
        for _ in range(5):
            try:
                self._start_once()
            except _PortTaken:
                if self._started:
                    raise
                self.port = free_port()
                self.tls_port = free_port() if self.tls else 0
                self._write_config()
                continue
            self._started = True
            return
        raise RuntimeError("Dovecot found no free port")

    def _start_once(self) -> None:
        # In the foreground (-F) the master stays our child, so stop() reaps it: a
        # daemonised master is re-parented to a container's PID 1, which may never reap
        # it, and every test would leave a zombie behind. Output goes to a file because
        # Dovecot's children inherit it and a pipe would never reach EOF.
        with (self.root / "start.err").open("ab") as err:
            self._process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        last: Exception | None = None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                output = self.log() + (self.root / "start.err").read_text(errors="replace")
                if "Address already in use" in output:
                    raise _PortTaken(self.port)
                raise RuntimeError(f"Dovecot exited at start\n{output}")
            try:
                # The password is unique to this instance: a login that succeeds is
                # proof of talking to our server, not to another run's on the same port.
                with self.client():
                    return
            except Exception as exc:  # noqa: BLE001 - any failure means "not yet"
                last = exc
                time.sleep(0.1)
        raise RuntimeError(f"Dovecot did not answer on port {self.port}: {last!r}\n{self.log()}")

    def _pid(self) -> int | None:
        try:
            return int((self.root / "run" / "master.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self, *, graceful: bool = True) -> None:
        """Stop as a server restart would: every connection is cut, the port closes.

        The master (the pid in ``master.pid``) is the leader of its own process group,
        and the whole group is signalled: Dovecot lets running ``imap`` processes (and
        its log and stats processes) outlive the master, so a client would otherwise not
        notice the restart at all. Graceful means SIGTERM first, so that each ``imap``
        process says BYE to its client; SIGKILL follows for whatever is left.
        """
        process, self._process = self._process, None
        pid = self._pid() or (process.pid if process else None)
        if pid is not None:
            for sig in (signal.SIGTERM, signal.SIGKILL) if graceful else (signal.SIGKILL,):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
                    os.killpg(pid, sig)
                if self._group_gone(pid, timeout=3.0):
                    break
        if process is not None:
            process.wait(START_TIMEOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while _port_open(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"Dovecot (pid {pid}) did not close port {self.port}")
            time.sleep(0.05)

    @staticmethod
    def _group_gone(pgid: int, *, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return True
            if not _pid_alive(pgid) and not _group_has_live_members(pgid):
                return True
            time.sleep(0.05)
        return False

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop at once and remove the temp folder; safe to call twice."""
        if self.root.exists():
            try:
                self.stop(graceful=False)
            finally:
                shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    # --- acting as the mailbox owner ------------------------------------------------

    @contextmanager
    def client(self, *, timeout: float = 10.0) -> Iterator[IMAPClient]:
        """A logged-in client as the mailbox owner, logged out afterwards."""
        imap = IMAPClient(self.host, port=self.port, ssl=False, timeout=timeout)
        try:
            imap.login(self.user, self.password)
            yield imap
        finally:
            try:
                imap.logout()
            except Exception:  # noqa: BLE001 - the server may be gone already
                imap.shutdown()

    def append(self, raw: bytes, *, folder: str = "INBOX", flags: Sequence[str] = ()) -> int:
        """Deliver one mail as an MTA's LDA would; returns its UID (UIDPLUS)."""
        with self.client() as imap:
            answer = imap.append(folder, raw, flags=tuple(flags))
        text = answer.decode() if isinstance(answer, bytes) else str(answer)
        found = re.search(r"APPENDUID \d+ (\d+)", text)
        return int(found.group(1)) if found else 0

    def flags(self, folder: str = "INBOX") -> dict[int, set[str]]:
        """UID → flags of every mail in ``folder`` (without touching ``\\Seen``)."""
        with self.client() as imap:
            imap.select_folder(folder, readonly=True)
            uids = imap.search("ALL")
            fetched = imap.fetch(uids, ["FLAGS"]) if uids else {}
        return {
            uid: {f.decode() if isinstance(f, bytes) else str(f) for f in data[b"FLAGS"]}
            - {"\\Recent"}
            for uid, data in fetched.items()
        }

    def folders(self) -> list[str]:
        with self.client() as imap:
            return sorted(str(name) for _flags, _sep, name in imap.list_folders())

    def uidvalidity(self, folder: str = "INBOX") -> int:
        with self.client() as imap:
            return int(imap.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])

    def set_uidvalidity(self, value: int, folder: str = "INBOX") -> None:
        """Give ``folder`` a new UIDVALIDITY, as a restored or rebuilt mailbox would have."""
        subprocess.run(
            [
                DOVEADM,
                "-c",
                str(self.config),
                "mailbox",
                "update",
                "-u",
                self.user,
                "--uid-validity",
                str(value),
                folder,
            ],
            check=True,
            capture_output=True,
        )
