"""Who may use the dashboard: argon2 password hashes, signed session cookies, and a
limit on login attempts.

Sessions live only in the cookie, signed with ``web.session_secret``: several workers
(or a restart, when the secret is configured) accept each other's cookies without a
session table, and a forged or edited cookie fails the signature. The cookie carries the
staff name, the CSRF token of that session and when it was issued; nothing about cases.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: One hasher with argon2-cffi's defaults (argon2id, RFC 9106 low-memory profile).
HASHER = PasswordHasher()

COOKIE = "privacybot_session"


def hash_password(password: str) -> str:
    """The argon2id hash stored in ``[web.users]``; the password itself is never kept."""
    if len(password) < 10:
        raise ValueError("a staff password needs at least 10 characters")
    return HASHER.hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(16))


def check_password(users: Mapping[str, str], name: str, password: str) -> bool:
    """Whether ``password`` is ``name``'s. Slow by design (argon2), so run it in a thread.

    An unknown name is checked against a dummy hash, so the answer takes as long as for a
    known one and the timing does not tell which staff names exist.
    """
    stored = users.get(name)
    try:
        return HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class WebSession:
    """What the signed cookie holds. ``user`` is None before login (the login form still
    needs a CSRF token)."""

    csrf: str
    user: str | None = None
    issued: float = 0.0


def new_session(user: str | None = None) -> WebSession:
    """A fresh session with a fresh CSRF token; a login always starts one, so a token an
    attacker planted before the login (session fixation) is worth nothing after it."""
    return WebSession(csrf=secrets.token_urlsafe(32), user=user, issued=time.time())


class SessionCodec:
    """Signs and reads session cookies; an expired or tampered cookie reads as None."""

    def __init__(self, secret: str, *, max_age_seconds: float) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="privacybot.web.session")
        self.max_age = max_age_seconds

    def dumps(self, session: WebSession) -> str:
        return self._serializer.dumps({"c": session.csrf, "u": session.user, "i": session.issued})

    def loads(self, cookie: str | None) -> WebSession | None:
        if not cookie or len(cookie) > 4096:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # SignatureExpired is a subclass
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        user = data.get("u")
        return WebSession(
            csrf=data["c"],
            user=user if isinstance(user, str) and user else None,
            issued=float(data.get("i") or 0.0),
        )


def logged_out(session: WebSession) -> WebSession:
    return replace(session, user=None)


class LoginLimiter:
    """Failed logins counted per key (a user name, an address) within a sliding window.

    In memory and per process: with several workers only the elected one serves the
    dashboard. The table is bounded, so a flood of made-up names cannot fill memory;
    when it is full the oldest keys are forgotten first.
    """

    MAX_KEYS = 10_000

    def __init__(
        self, *, attempts: int, window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.window = window_seconds
        self.clock = clock
        self._limits: dict[str, int] = {}
        self._default = attempts
        self._failures: dict[str, deque[float]] = {}

    def limit_for(self, key: str) -> int:
        # Many people share an address behind a proxy or an office NAT: allow more there.
        return self._default * 4 if key.startswith("ip:") else self._default

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after(self, keys: Iterable[str]) -> float:
        """Seconds until a login may be tried again for these keys; 0 when it may now."""
        now = self.clock()
        wait = 0.0
        for key in keys:
            times = self._recent(key, now)
            if len(times) >= self.limit_for(key):
                wait = max(wait, times[0] + self.window - now)
        return wait

    def failed(self, keys: Iterable[str]) -> None:
        now = self.clock()
        for key in keys:
            times = self._failures.setdefault(key, deque())
            times.append(now)
            while len(times) > self.limit_for(key):
                times.popleft()
        while len(self._failures) > self.MAX_KEYS:
            self._failures.pop(next(iter(self._failures)))

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
