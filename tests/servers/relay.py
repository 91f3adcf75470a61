"""A real SMTP relay for tests: records what privacybot sends, fails on demand, goes down.

It is aiosmtpd in its own thread (``Controller``), so privacybot's sender talks real SMTP
to it over a loopback socket: connection refused while it is down, the chosen reply code
when told to fail, ``250`` otherwise. What was accepted is kept in ``received``, which is
the sending side's truth: a mail counts as sent once the relay said 250.

``on_message`` runs for each accepted mail in a thread of its own, after the 250 went out,
so a test can play the other end of a conversation (an auto-responder) without blocking
the relay.
"""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Received:
    """One mail the relay accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class _Handler:
    def __init__(self, relay: Relay) -> None:
        self.relay = relay

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        relay = self.relay
        with relay.lock:
            if relay.fail_codes:
                code = relay.fail_codes.pop(0)
                relay.refused += 1
                return f"{code} {'4.3.0' if code < 500 else '5.7.1'} refused by the test relay"
            data = envelope.original_content or envelope.content or b""
            if isinstance(data, str):
                data = data.encode("utf-8", "surrogateescape")
            item = Received(
                mail_from=envelope.mail_from or "",
                rcpt_tos=tuple(envelope.rcpt_tos),
                data=bytes(data),
            )
            relay.received.append(item)
        if relay.before_reply is not None:
            relay.before_reply(item)
        if relay.on_message is not None:
            relay.callbacks_started += 1
            threading.Thread(target=relay._callback, args=(item,), daemon=True).start()
        return "250 2.0.0 OK"


class Relay:
    """Start with ``start()``; ``stop()`` makes it unreachable (connection refused)."""

    def __init__(
        self,
        on_message: Callable[[Received], None] | None = None,
        *,
        login: tuple[str, str] | None = None,
    ) -> None:
        #: (user, password) the relay demands by AUTH (plain text, loopback only).
        self.login = login
        self.port = free_port()
        self.received: list[Received] = []
        #: Reply codes for the next DATA commands, one each (``[451, 451]``, ``[554]``).
        self.fail_codes: list[int] = []
        self.refused = 0
        self.on_message = on_message
        #: Runs in the relay's loop once a mail is kept and before its 250 is written:
        #: a test can crash the sender there, so that the mail is accepted but the sender
        #: never learns it.
        self.before_reply: Callable[[Received], None] | None = None
        self.callbacks_started = 0
        self.callbacks_done = 0
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    def _callback(self, item: Received) -> None:
        try:
            assert self.on_message is not None
            self.on_message(item)
        finally:
            with self.lock:
                self.callbacks_done += 1

    @property
    def idle(self) -> bool:
        """No ``on_message`` still running: the other end has said all it will say."""
        with self.lock:
            return self.callbacks_done == self.callbacks_started

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: object
    ) -> AuthResult:
        wanted = tuple(part.encode() for part in self.login or ("", ""))
        ok = (
            isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == wanted
        )
        return AuthResult(success=ok, handled=False)

    @property
    def up(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            extra: dict[str, object] = {}
            if self.login is not None:
                extra = {
                    "authenticator": self._authenticate,
                    "auth_require_tls": False,
                    "auth_required": True,
                }
            controller = Controller(
                _Handler(self),
                hostname="127.0.0.1",
                port=self.port,
                decode_data=False,
                enable_SMTPUTF8=True,
                **extra,
            )
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Relay:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
