"""CSRF protection for every form: a per-session token plus an origin check.

The cookie is SameSite=Strict already; the token is the defence that does not depend on
the browser, and the Origin check stops a form posted from another site even if a token
ever leaked. Both must pass for any state-changing request.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from starlette.requests import Request

FIELD = "csrf_token"


def token_matches(expected: str, given: object) -> bool:
    """Constant-time comparison, so the token cannot be guessed byte by byte."""
    if not isinstance(given, str) or not given or not expected:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def same_origin(request: Request) -> bool:
    """A POST must come from a page of this site: its Origin (or, failing that, Referer)
    names our host. Browsers send Origin on every cross-site POST, so a missing header
    means a non-browser client, which the token alone then has to satisfy."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return True
    if source == "null":
        return False
    host = request.headers.get("host", "")
    return urlsplit(source).netloc.lower() == host.lower()
