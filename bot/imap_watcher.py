"""Take mail from the company's IMAP mailbox exactly once, without changing what its owner sees.

Contract:

- ``ImapWatcher.run`` blocks (imapclient is synchronous) and is meant for its own thread,
  started with ``asyncio.to_thread``. It talks to the event loop only through the database
  and the ``wake`` callable, which the service makes thread-safe with
  ``loop.call_soon_threadsafe``. It returns only when ``stop`` is set; no error ends it.
- Progress is the mailbox's UIDVALIDITY and the last UID taken (``MailboxCursor``), never
  sequence numbers. The cursor advances in the same transaction that stores the fetched
  batch, so a crash between fetch and commit re-fetches, and the Message-ID dedupe of
  ``queries.insert_inbound`` turns a re-fetch into a no-op. A new UIDVALIDITY resets the cursor to 0
  and the whole mailbox is re-read; dedupe again keeps that from doubling anything.
- After every (re)connect the mailbox is re-scanned by UID (``UID n+1:*``, filtered here,
  because the server always answers with the highest UID even when it is ≤ n), so mail
  that arrived while privacybot was stopped or disconnected is taken.
- Mail is fetched with ``BODY.PEEK[]`` so the owner's ``\\Seen`` state never changes; a
  stored mail is then flagged, moved or left as configured. Nothing here sets ``\\Deleted``
  or expunges: privacybot never deletes mail from the server.
- New mail is noticed with IDLE where offered (re-issued every few minutes, since a dead
  connection looks exactly like a quiet one), by polling otherwise.
- A refused login is one log line and a retry; any network or protocol error is one line
  and a reconnect; both wait with capped exponential backoff with jitter. Login is a
  password or, for Microsoft 365 and Google Workspace, XOAUTH2 with an access token
  that a configured command prints (or a file holds), fetched anew at every login.
- Old mail opens no acknowledgement: mail the server received (INTERNALDATE) before the
  cut-off is stored ``quiet``. The cut-off is ``imap.since`` when set, otherwise the
  moment of the very first start, kept with the cursor so that an interrupted first scan
  keeps it; cursors made before that rule have none, and nothing is quiet for them.
- Logs carry the mailbox name, UIDs and message row ids, never addresses, subjects,
  the username or the password.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import random
import re
import select
import shlex
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from zoneinfo import ZoneInfo

from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError
from sqlalchemy.exc import SQLAlchemyError

from bot.config import ImapSettings
from bot.runtime import Runtime
from bot.smtp_listener import external_id_for, insert_parsed
from bot.tls import TlsSetupError, client_context
from handlers import normalise
from handlers.values import Channel, Inbound
from storage import queries
from storage.engine import unit_of_work
from storage.models import as_utc

log = logging.getLogger("privacybot.inbound.imap")

#: The keyword set on processed mail where the server lets clients create keywords
#: (``PERMANENTFLAGS`` holds ``\\*``); ``\\Flagged`` otherwise. A keyword of our own
#: leaves the owner's own flags meaning what they meant.
PROCESSED_KEYWORD = "$PrivacybotProcessed"
FALLBACK_FLAG = "\\Flagged"
#: A token command that takes longer than this is treated as failed.
TOKEN_COMMAND_TIMEOUT = 30.0
#: Searches in a row made only because an answer announced new mail, before IDLE anyway.
MAX_ANNOUNCED_RESCANS = 3
#: Cut-off dates are the company's calendar days, as case references and deadlines are.
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class WatcherTiming:
    """Pacing of the watcher; the defaults suit a real server, tests shorten them."""

    #: IDLE is ended and re-issued this often: imapclient's docs advise every 10 minutes
    #: at most, and servers and middleboxes drop quiet connections sooner than RFC 2177's 29.
    idle_renew: float = 300.0
    #: Longest single wait inside IDLE; it bounds how long ``stop`` takes to be noticed.
    idle_check: float = 1.0
    #: Interval between searches on servers without IDLE.
    poll_interval: float = 30.0
    connect_timeout: float = 15.0
    #: Any server answer slower than this counts as a dead connection.
    read_timeout: float = 60.0
    backoff_initial: float = 1.0
    backoff_cap: float = 300.0
    #: Mails per ``UID FETCH``: large enough to be fast, small enough that one batch of
    #: big attachments cannot hold the connection past the read timeout.
    batch_size: int = 50


class ServerClosed(ConnectionError):
    """The server ended the session (BYE, or end of stream while idling)."""


class TokenError(Exception):
    """No access token could be had for XOAUTH2; the message names the setting to fix."""


def start_of_day(day: date) -> datetime:
    """00:00 of ``day`` in Copenhagen, as an aware UTC time: where a cut-off date begins."""
    return datetime.combine(day, day_time(0), tzinfo=COPENHAGEN).astimezone(UTC)


def access_token(settings: ImapSettings, *, timeout: float = TOKEN_COMMAND_TIMEOUT) -> str:
    """A current OAuth2 access token from ``oauth2_token_command`` or ``oauth2_token_file``.

    Asked for at every login rather than cached: access tokens live about an hour, and
    the command (``oama``, ``mailctl``, a script around MSAL) is what knows how to
    refresh one. The command's stderr is left to the service's own stderr so the operator
    sees why it failed; its output, the token, is never logged.
    """
    if settings.oauth2_token_command:
        try:
            done = subprocess.run(  # noqa: S602 - the operator's own configured command
                settings.oauth2_token_command,
                shell=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise TokenError(
                f"imap.oauth2_token_command did not finish within {timeout:g} s"
            ) from None
        except OSError as exc:
            raise TokenError(f"imap.oauth2_token_command could not run ({exc.strerror})") from None
        if done.returncode != 0:
            raise TokenError(
                f"imap.oauth2_token_command {shlex.split(settings.oauth2_token_command)[0]!r} "
                f"exited with status {done.returncode}"
            )
        source, output = "imap.oauth2_token_command", done.stdout
    else:
        try:
            output = Path(settings.oauth2_token_file).read_bytes()
        except OSError as exc:
            raise TokenError(
                f"imap.oauth2_token_file {settings.oauth2_token_file} cannot be read "
                f"({exc.strerror})"
            ) from None
        source = "imap.oauth2_token_file"
    token = output.decode("ascii", "replace").strip()
    if not token:
        raise TokenError(f"{source} gave no access token")
    if any(ch.isspace() or not ch.isprintable() for ch in token):
        raise TokenError(f"{source} gave more than one word; it must print only the token")
    return token


class Backoff:
    """Capped exponential delays with jitter, so many clients do not return in step."""

    def __init__(
        self, initial: float, cap: float, *, rng: Callable[[], float] = random.random
    ) -> None:
        self.initial = initial
        self.cap = cap
        self.rng = rng
        self.failures = 0

    def next_delay(self) -> float:
        base = min(self.cap, self.initial * (2 ** min(self.failures, 32)))
        self.failures += 1
        return base * (0.5 + self.rng() / 2)

    def reset(self) -> None:
        self.failures = 0


def cursor_key(settings: ImapSettings, mailbox: str | None = None) -> str:
    """The ``MailboxCursor`` key for one mailbox (``imap.mailbox`` unless named) of this account.

    Host and mailbox stay readable for the operator; the account is a hash so that two
    accounts on one server get separate cursors without storing the address in clear.
    The port is left out: switching from 993 to STARTTLS on 143 is the same mailbox.
    """
    account = hashlib.sha256(settings.username.strip().lower().encode("utf-8")).hexdigest()
    return f"imap://{settings.host.lower()}/{mailbox or settings.mailbox}#{account[:16]}"


def _announced(client: IMAPClient) -> bool:
    """Whether an answer to one of our commands told of new mail (EXISTS or RECENT), and
    forget it.

    imaplib keeps the unsolicited lines of a command's answer aside
    (``untagged_responses``) instead of returning them, and a server tells of each change
    once: new mail announced with the last search before IDLE is not announced again when
    IDLE starts, so it must be looked for here.
    """
    pending = client._imap.untagged_responses  # imapclient's imaplib connection
    exists = pending.pop("EXISTS", None)
    recent = pending.pop("RECENT", None)
    return bool(exists or recent)


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _response_code(exc: BaseException) -> str:
    """The server's bracketed code (``[AUTHENTICATIONFAILED]``, ``[UNAVAILABLE]``) if any:
    it tells a wrong password from a server that is down, and carries no personal data."""
    found = re.search(r"\[([A-Z][A-Z-]*)\]", str(exc))
    return f" ({found.group(1)})" if found else ""


def _describe(exc: BaseException) -> str:
    """A short, content-free reason: server answers can echo mail lines, so they are cut."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate not trusted ({exc.verify_message})"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{type(exc).__name__}: {exc.strerror}"
    text = str(exc).replace("\r", " ").replace("\n", " ")
    return f"{type(exc).__name__}: {text[:80]}" if text else type(exc).__name__


@dataclass
class _Session:
    """What one connected, selected session knows; rebuilt on every reconnect."""

    client: IMAPClient
    uidvalidity: int
    last_uid: int
    processed_flag: str
    can_move: bool
    #: Mail received before this is stored quiet (no acknowledgement); None: none is.
    quiet_before: datetime | None = None


class ImapWatcher:
    """One mailbox of one account, watched from a dedicated thread until ``stop`` is set.

    ``mailbox`` picks one of ``imap.watched_mailboxes()``; the service runs one watcher
    per folder, since IDLE reports on the one folder its connection has selected.
    """

    def __init__(
        self,
        runtime: Runtime,
        *,
        wake: Callable[[], None],
        stop: threading.Event,
        settings: ImapSettings | None = None,
        timing: WatcherTiming | None = None,
        ssl_context: ssl.SSLContext | None = None,
        mailbox: str | None = None,
    ) -> None:
        self.runtime = runtime
        self.settings = settings or runtime.settings.imap
        self.wake = wake
        self.stop = stop
        self.timing = timing or WatcherTiming(
            idle_renew=self.settings.idle_renew_seconds,
            poll_interval=self.settings.poll_seconds,
        )
        self.ssl_context = ssl_context
        self.mailbox = mailbox or self.settings.mailbox
        self.key = cursor_key(self.settings, self.mailbox)

    # --- the outer loop: never dies, always cleans up -------------------------------

    def run(self) -> None:
        """Watch until ``stop`` is set, reconnecting after every failure."""
        backoff = Backoff(self.timing.backoff_initial, self.timing.backoff_cap)
        log.info("IMAP watcher for mailbox %s starting", self.mailbox)
        while not self.stop.is_set():
            client: IMAPClient | None = None
            clean = False
            delay = 0.0
            try:
                client = self._connect()
                self._login(client)
                self._watch(client, on_healthy=backoff.reset)
                clean = True
            except LoginError as exc:
                delay = backoff.next_delay()
                log.error(
                    "IMAP login for mailbox %s was refused%s: check imap.username and %s; "
                    "retrying in %.1f s",
                    self.mailbox,
                    _response_code(exc),
                    "imap.password"
                    if self.settings.auth == "password"
                    else "that the access token is current and for this account",
                    delay,
                )
            except (TokenError, TlsSetupError) as exc:
                delay = backoff.next_delay()
                log.error(
                    "IMAP for mailbox %s cannot log in: %s; retrying in %.1f s",
                    self.mailbox,
                    exc,
                    delay,
                )
            except (OSError, IMAPClientError) as exc:
                delay = backoff.next_delay()
                log.warning(
                    "IMAP connection for mailbox %s failed (%s); reconnecting in %.1f s",
                    self.mailbox,
                    _describe(exc),
                    delay,
                )
            except SQLAlchemyError as exc:
                # Its message quotes the SQL parameters, the mail itself among them: name
                # the error only. The mail stays on the server and the cursor where it was.
                delay = backoff.next_delay()
                log.warning(
                    "database unavailable while taking mail from mailbox %s (%s/%s); "
                    "retrying in %.1f s",
                    self.mailbox,
                    type(exc).__name__,
                    type(getattr(exc, "orig", None)).__name__,
                    delay,
                )
            except Exception:
                # A bug, not the network: say so loudly, but keep taking mail.
                delay = backoff.next_delay()
                log.exception(
                    "IMAP watcher for mailbox %s hit an unexpected error; restarting in %.1f s",
                    self.mailbox,
                    delay,
                )
            finally:
                self._close(client, logout=clean)
            if not clean:
                self.stop.wait(delay)
        log.info("IMAP watcher for mailbox %s stopped", self.mailbox)

    def _connect(self) -> IMAPClient:
        s = self.settings
        timeout = SocketTimeout(connect=self.timing.connect_timeout, read=self.timing.read_timeout)
        context = self.ssl_context or client_context(s.ca_file, setting="imap.ca_file")
        if s.tls == "ssl":
            client = IMAPClient(
                s.host, port=s.port, ssl=True, ssl_context=context, timeout=timeout
            )
        else:
            client = IMAPClient(s.host, port=s.port, ssl=False, timeout=timeout)
        client.normalise_times = False  # aware INTERNALDATE, not local wall time
        if s.tls == "starttls":
            try:
                # Raises when STARTTLS is not offered: never fall back to plaintext.
                client.starttls(context)
            except BaseException:
                with contextlib.suppress(Exception):  # a failed handshake closed it already
                    client.shutdown()
                raise
        return client

    def _login(self, client: IMAPClient) -> None:
        s = self.settings
        if s.auth == "xoauth2":
            # imapclient's oauth2_login raises LoginError when the server says NO.
            client.oauth2_login(s.username, access_token(s))
        else:
            client.login(s.username, s.password.get_secret_value())

    @staticmethod
    def _close(client: IMAPClient | None, *, logout: bool) -> None:
        """Log out after a clean stop; after a failure just drop the socket.

        LOGOUT on a dead connection would wait for the read timeout, delaying the
        reconnect (or the service's shutdown) for nothing.
        """
        if client is None:
            return
        if logout:
            try:
                client.logout()
                return
            except Exception:  # noqa: BLE001 - the socket is closed below either way
                pass
        with contextlib.suppress(Exception):
            client.shutdown()

    # --- one connected session ------------------------------------------------------

    def _watch(self, client: IMAPClient, *, on_healthy: Callable[[], None]) -> None:
        session = self._open_session(client)
        can_idle = client.has_capability("IDLE")
        log.info(
            "IMAP mailbox %s selected (UIDVALIDITY %s, %s); scanning after UID %s",
            self.mailbox,
            session.uidvalidity,
            "IDLE" if can_idle else f"polling every {self.timing.poll_interval:g} s",
            session.last_uid,
        )
        caught_up = False
        while not self.stop.is_set():
            # Scan until a search finds nothing new and no answer told of new mail: mail
            # that arrives during a scan is announced in the answer to our SEARCH, FETCH
            # or STORE, and IDLE will not announce it again, so only a quiet, empty search
            # makes it safe to start waiting. The rescans for announcements alone are
            # capped, in case a server repeats EXISTS in every answer.
            announced = 0
            while not self.stop.is_set():
                if self._scan(session):
                    continue
                if not _announced(client) or announced >= MAX_ANNOUNCED_RESCANS:
                    break
                announced += 1
            if not caught_up:
                self._catch_up_marking(session)
                caught_up = True
            # Only a session that got as far as a full scan proves the server healthy;
            # one that fails right after login must keep backing off.
            on_healthy()
            if can_idle:
                self._idle(client)
            elif not self.stop.wait(self.timing.poll_interval):
                client.noop()
            if self.stop.is_set():
                break
            self._reselect(session)

    def _open_session(self, client: IMAPClient) -> _Session:
        action = self.settings.processed_action
        info = client.select_folder(self.mailbox, readonly=action == "none")
        uidvalidity = int(info[b"UIDVALIDITY"])
        permanent = info.get(b"PERMANENTFLAGS", ())
        processed_flag = PROCESSED_KEYWORD if b"\\*" in permanent else FALLBACK_FLAG
        can_move = client.has_capability("MOVE")
        if action == "move":
            self._ensure_folder(client, self.settings.processed_folder)
            if not can_move:
                log.warning(
                    "IMAP server has no MOVE: processed mail is copied to %s and flagged, "
                    "and stays in %s (privacybot never deletes mail)",
                    self.settings.processed_folder,
                    self.mailbox,
                )
        with unit_of_work(self.runtime.sessions) as db:
            cursor = queries.mailbox_cursor(db, mailbox=self.key)
            if cursor is None:
                # The very first start: fix the cut-off now, with the cursor, so that a
                # first scan interrupted half-way still treats the old mail as old.
                now = self.runtime.clock()
                cursor = queries.advance_mailbox_cursor(
                    db, mailbox=self.key, uidvalidity=uidvalidity, last_uid=0,
                    now=now, quiet_before=now,
                )
                log.info(
                    "first start on mailbox %s: mail received before %s opens cases "
                    "without acknowledgements",
                    self.mailbox,
                    (self.settings.since or "now"),
                )
            stored = (cursor.uidvalidity, cursor.last_uid)
            first_start = cursor.quiet_before
        last_uid = 0
        if stored[0] == uidvalidity:
            last_uid = stored[1]
        else:
            self._reset_cursor(old=stored[0], new=uidvalidity)
        if self.settings.since is not None:
            quiet_before: datetime | None = start_of_day(self.settings.since)
        else:
            quiet_before = as_utc(first_start) if first_start is not None else None
        return _Session(client, uidvalidity, last_uid, processed_flag, can_move, quiet_before)

    def _reselect(self, session: _Session) -> None:
        """Re-read UIDVALIDITY, which a server may change without ending the session."""
        info = session.client.select_folder(
            self.mailbox, readonly=self.settings.processed_action == "none"
        )
        uidvalidity = int(info[b"UIDVALIDITY"])
        if uidvalidity != session.uidvalidity:
            self._reset_cursor(old=session.uidvalidity, new=uidvalidity)
            session.uidvalidity = uidvalidity
            session.last_uid = 0

    def _reset_cursor(self, *, old: int, new: int) -> None:
        log.warning(
            "UIDVALIDITY of mailbox %s changed from %s to %s: re-reading it from the start "
            "(mail already stored is recognised by Message-ID and not taken twice)",
            self.mailbox,
            old,
            new,
        )
        with unit_of_work(self.runtime.sessions) as db:
            queries.advance_mailbox_cursor(
                db, mailbox=self.key, uidvalidity=new, last_uid=0, now=self.runtime.clock()
            )

    @staticmethod
    def _ensure_folder(client: IMAPClient, folder: str) -> None:
        if client.folder_exists(folder):
            return
        try:
            client.create_folder(folder)
        except IMAPClientAbortError:
            raise
        except IMAPClientError:
            # Another client may have created it in between; only a real absence is fatal.
            if not client.folder_exists(folder):
                raise

    # --- taking mail ----------------------------------------------------------------

    def _scan(self, session: _Session) -> int:
        """Take every mail after the cursor; returns how many were taken."""
        client = session.client
        _announced(client)  # what was told before this search, the search itself sees
        found = client.search(["UID", f"{session.last_uid + 1}:*"])
        new = sorted(uid for uid in found if uid > session.last_uid)
        taken = 0
        for batch in _chunks(new, self.timing.batch_size):
            if self.stop.is_set():
                break
            fetched = client.fetch(batch, [b"BODY.PEEK[]", b"INTERNALDATE"])
            found: list[tuple[int, bytes, object]] = []
            for uid in batch:
                data = fetched.get(uid)
                raw = data.get(b"BODY[]") if data else None
                if raw is None:
                    log.warning("mail UID %s in mailbox %s vanished before it was fetched",
                                uid, self.mailbox)
                    continue
                found.append((uid, bytes(raw), data.get(b"INTERNALDATE")))
            stored = self._store(
                found, uidvalidity=session.uidvalidity, quiet_before=session.quiet_before
            )
            done: list[int] = []
            for (uid, _, _), (row_id, created) in zip(found, stored, strict=True):
                session.last_uid = uid
                done.append(uid)
                log.info(
                    "mail UID %s in mailbox %s stored as message %s%s",
                    uid,
                    self.mailbox,
                    row_id,
                    "" if created else " (already stored)",
                )
            if done:
                taken += len(done)
                self.wake()
                self._mark_processed(session, done)
        return taken

    def _store(
        self,
        found: list[tuple[int, bytes, object]],
        *,
        uidvalidity: int,
        quiet_before: datetime | None = None,
    ) -> list[tuple[int, bool]]:
        """Store a fetched batch (UID, raw mail, INTERNALDATE) and advance the cursor past
        its last mail, in one transaction; returns (row id, new?) per mail.

        Mirrors ``smtp_listener.store_mails`` but keeps the cursor in the same commit, so
        the stored mail and "UID n is done" can never disagree. One commit per batch, not
        per mail (issue 9): a mailbox that filled while privacybot was down is taken up
        at the import's pace. Each mail is parsed before the transaction.
        """
        if not found:
            return []
        now = self.runtime.clock()
        retention = timedelta(days=self.runtime.policy.message_retention_days)
        prepared = []
        for uid, raw, internal_date in found:
            external_id, message_id = external_id_for(raw)
            inbound: Inbound | None
            try:
                inbound = normalise.parse(raw, Channel.IMAP, external_id=external_id)
            except Exception:  # noqa: BLE001 - the raw bytes are kept; the pipeline decides
                log.warning("mail UID %s in mailbox %s could not be parsed; storing it raw",
                            uid, self.mailbox)
                inbound = None
            received_at = now
            # The server's receipt time, not ours: mail that waited while privacybot was
            # down keeps its true date, and with it its true deadline.
            if isinstance(internal_date, datetime) and internal_date.tzinfo is not None:
                received_at = min(internal_date.astimezone(UTC), now)
            # INTERNALDATE has whole seconds: mail that came in the very second of a first
            # start is not older than it.
            quiet = quiet_before is not None and received_at < quiet_before.replace(
                microsecond=0
            )
            prepared.append((raw, external_id, message_id, inbound, received_at, quiet))
        stored: list[tuple[int, bool]] = []
        with unit_of_work(self.runtime.sessions) as db:
            connection = db.connection()
            for raw, external_id, message_id, inbound, received_at, quiet in prepared:
                if inbound is not None:
                    stored.append(insert_parsed(
                        connection, self.runtime, raw=raw, inbound=inbound,
                        external_id=external_id, message_id=message_id,
                        received_at=received_at, quiet=quiet,
                    ))
                    continue
                stored.append(queries.insert_inbound(  # kept raw, as it came
                    connection, channel=Channel.IMAP.value, external_id=external_id,
                    raw=raw, message_id=message_id, received_at=received_at,
                    retain_until=(received_at + retention).date(), quiet=quiet,
                ))
            queries.advance_mailbox_cursor(
                db, mailbox=self.key, uidvalidity=uidvalidity, last_uid=found[-1][0], now=now
            )
        return stored

    def _mark_processed(self, session: _Session, uids: list[int]) -> None:
        """Flag or move mail that is safely stored; a refusal is logged, not retried.

        The mail is in the database and past the cursor whatever happens here, so a
        server that refuses a flag costs the owner a visual hint, never a lost request.
        """
        action = self.settings.processed_action
        if action == "none":
            return
        client = session.client
        try:
            if action == "move" and session.can_move:
                client.move(uids, self.settings.processed_folder)
            elif action == "move":
                client.copy(uids, self.settings.processed_folder)
                client.add_flags(uids, [session.processed_flag], silent=True)
            else:
                client.add_flags(uids, [session.processed_flag], silent=True)
        except IMAPClientAbortError:
            raise
        except IMAPClientError as exc:
            log.warning(
                "IMAP server refused to %s UIDs %s-%s in mailbox %s (%s)",
                action,
                uids[0],
                uids[-1],
                self.mailbox,
                _describe(exc),
            )

    def _catch_up_marking(self, session: _Session) -> None:
        """Once per session: flag or move what is stored but was never marked.

        Marking follows the commit that stores a batch, so a crash (or a connection lost)
        in between leaves stored mail behind the cursor looking unprocessed in the
        owner's mailbox. Everything at or below the cursor is stored, so the configured
        action is applied to what still lacks it. Where processed mail can only be told
        by ``\\Flagged`` (no keywords), the owner's own flags cannot be told from ours and
        nothing is done.
        """
        action, last_uid = self.settings.processed_action, session.last_uid
        if action == "none" or last_uid == 0:
            return
        client = session.client
        criteria: list[str] = ["UID", f"1:{last_uid}"]
        if action == "flag" or not session.can_move:
            if session.processed_flag != PROCESSED_KEYWORD:
                return
            criteria += ["UNKEYWORD", PROCESSED_KEYWORD]
        left = sorted(uid for uid in client.search(criteria) if uid <= last_uid)
        if not left:
            return
        log.info("%s mails in mailbox %s were stored but not marked; marking them now",
                 len(left), self.mailbox)
        for batch in _chunks(left, self.timing.batch_size * 20):
            self._mark_processed(session, batch)

    # --- waiting for news -----------------------------------------------------------

    def _idle(self, client: IMAPClient) -> None:
        """Wait in IDLE until the mailbox changes, ``stop`` is set or it is time to renew."""
        client.idle()
        # On any exception DONE is not sent: the connection is dropped by ``run`` anyway,
        # and on a dead one DONE would only wait for the read timeout.
        deadline = time.monotonic() + self.timing.idle_renew
        while not self.stop.is_set() and time.monotonic() < deadline:
            responses = client.idle_check(timeout=self.timing.idle_check)
            if not responses and self._readable(client):
                # Either a line arrived just after the wait, or the peer closed the
                # stream: ``idle_check`` swallows end-of-stream and returns nothing, which
                # is also what a quiet mailbox looks like (imapclient's
                # idle_selector example tells them apart the same way).
                responses = client.idle_check(timeout=0)
                if not responses:
                    raise ServerClosed("connection closed by the server during IDLE")
            if any(r and r[0] == b"BYE" for r in responses):
                raise ServerClosed("server said BYE during IDLE")
            if any(len(r) >= 2 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                break
        client.idle_done()

    @staticmethod
    def _readable(client: IMAPClient) -> bool:
        readable, _, _ = select.select([client.socket()], [], [], 0)
        return bool(readable)
