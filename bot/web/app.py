"""The dashboard's ASGI application: settings, templates, sessions and the guard that every
page but the login goes through.

Built from a ``Runtime`` like every other part, so the web decides with the same engine,
clock and templates as the chat and the CLI; ``create_app`` builds nothing global, so a
test can make as many apps as it likes.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import escape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.config import WebSettings
from bot.runtime import Runtime
from bot.web import csrf
from bot.web.auth import COOKIE, LoginLimiter, SessionCodec, WebSession, new_session
from bot.web.data import ChainCache

log = logging.getLogger("privacybot.web")

Handler = Callable[[Request], Awaitable[Response]]

#: Pages hold personal data: no caching anywhere, no framing, nothing from elsewhere.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: under it Chromium sends "Origin: null" on our own forms.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@dataclass
class WebState:
    runtime: Runtime
    settings: WebSettings
    codec: SessionCodec
    limiter: LoginLimiter
    templates: jinja2.Environment
    chain: ChainCache = field(default_factory=ChainCache)


def make_templates() -> jinja2.Environment:
    """The web's own environment over the same ``templates`` package: always escaped
    (everything a customer wrote is text), and strict, so a typo fails a test."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("templates", "web"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["urlquote"] = lambda value: quote(str(value), safe="")
    return env


def state(request: Request) -> WebState:
    return request.app.state.web  # type: ignore[no-any-return]


def render(
    request: Request, name: str, context: dict[str, Any], *, status: int = 200,
    session: WebSession | None = None,
) -> HTMLResponse:
    """A page, with the session's CSRF token and user available to every template."""
    web = state(request)
    explicit = session is not None
    session = session or getattr(request.state, "session", None) or new_session()
    html = web.templates.get_template(name).render(
        csrf_field=csrf.FIELD,
        csrf_token=session.csrf,
        user=getattr(request.state, "user", None),
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    if explicit:  # the login pages; behind the guard, staff_only sets a new cookie
        set_session_cookie(request, response, session)
    return response


def set_session_cookie(request: Request, response: Response, session: WebSession) -> None:
    web = state(request)
    response.set_cookie(
        COOKIE,
        web.codec.dumps(session),
        max_age=int(web.codec.max_age),
        path="/",
        secure=web.settings.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def read_session(request: Request) -> WebSession | None:
    return state(request).codec.loads(request.cookies.get(COOKIE))


def proxy_user(request: Request) -> str | None:
    """The staff name a trusted reverse proxy vouches for, when one is configured: only a
    name configured in ``[web.users]`` (a proxy's SSO may know the whole company)."""
    settings = state(request).settings
    header = settings.trusted_proxy_header
    if not header:
        return None
    value = request.headers.get(header, "").strip()
    if not value:
        return None
    if value not in settings.users:
        log.warning("web: the proxy named someone who is not a configured staff user")
        return None
    return value


def staff_only(handler: Handler) -> Handler:
    """Every page and form behind the login. An anonymous GET is sent to the login page
    (and sees nothing else); an anonymous or forged POST is refused with 403 before the
    handler runs, so no decision code is reached without a valid CSRF token."""

    @wraps(handler)
    async def guarded(request: Request) -> Response:
        session = read_session(request)
        user = proxy_user(request) or (session.user if session else None)
        if user is None:
            if request.method == "GET":
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                return RedirectResponse(f"/login?next={quote(target, safe='')}", 303)
            return forbidden(request, "You are not logged in.")
        if session is None:  # a proxy-authenticated first visit: a session for the token
            session = new_session(user)
            request.state.session_new = True
        request.state.session = session
        request.state.user = user
        if request.method == "POST":
            form = await request.form()
            if not csrf.same_origin(request) or not csrf.token_matches(
                session.csrf, form.get(csrf.FIELD)
            ):
                log.warning("web: a form without a valid CSRF token was refused")
                return forbidden(request, "This form has expired or did not come from this "
                                 "site. Reload the page and try again.")
            request.state.form = form
        response = await handler(request)
        if getattr(request.state, "session_new", False):
            set_session_cookie(request, response, session)
        return response

    return guarded


def forbidden(request: Request, message: str) -> HTMLResponse:
    response = HTMLResponse(
        "<!DOCTYPE html><html lang=en><meta charset=utf-8><title>Refused</title>"
        f"<p>{escape(message)}</p><p><a href=/login>Log in</a></p>",
        status_code=403,
    )
    return response


class SecurityHeaders:
    """Adds ``SECURITY_HEADERS`` to every response, static files and errors included."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in SECURITY_HEADERS.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(runtime: Runtime, *, settings: WebSettings | None = None) -> Starlette:
    """The dashboard for ``runtime``; ``settings`` default to ``runtime.settings.web``."""
    from bot.web import routes

    settings = settings or runtime.settings.web
    secret = settings.session_secret.get_secret_value()
    if not secret:
        secret = secrets.token_urlsafe(32)
        log.warning("web.session_secret is not set: sessions end when the service restarts")
    web = WebState(
        runtime=runtime,
        settings=settings,
        codec=SessionCodec(secret, max_age_seconds=settings.session_hours * 3600),
        limiter=LoginLimiter(
            attempts=settings.login_attempts,
            window_seconds=settings.login_window_minutes * 60,
        ),
        templates=make_templates(),
    )
    app = Starlette(
        routes=[
            *routes.ROUTES,
            Mount("/static", StaticFiles(packages=[("bot.web", "static")]), name="static"),
        ],
    )
    app.state.web = web
    app.add_middleware(SecurityHeaders)
    return app


__all__ = ["Route", "create_app", "render", "staff_only", "state"]
