"""Fixtures for the dashboard: a runtime with one staff user, cases opened through the
real pipeline, and an HTTP client that talks to the ASGI app in process."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from email.message import EmailMessage
from typing import Any

import httpx
import pytest

from bot import pipeline
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.smtp_listener import store_mail
from bot.web.app import create_app
from bot.web.auth import hash_password
from handlers.values import Channel
from storage.engine import unit_of_work
from storage.models import Case, Message

USER = "anna"
PASSWORD = "correct horse battery"
_HASH: dict[str, str] = {}


def staff_hash() -> str:
    """One argon2 hash for the whole run: hashing is deliberately slow."""
    if "h" not in _HASH:
        _HASH["h"] = hash_password(PASSWORD)
    return _HASH["h"]


def web_settings(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "enabled": True,
        "port": 0,
        "users": {USER: staff_hash()},
        "session_secret": "s" * 40,
        "login_attempts": 3,
    }
    values.update(overrides)
    return values


@pytest.fixture
def web_runtime(make_settings: Callable[..., Settings], database_url: str) -> Iterator[Runtime]:
    rt = build_runtime(make_settings(database_url, web=web_settings()))
    yield rt
    rt.engine.dispose()


def open_case(
    runtime: Runtime,
    *,
    subject: str = "Slet mine oplysninger",
    body: str = "Hej\n\nJeg vil gerne have slettet alle mine personoplysninger.\n\nMvh Mette",
    sender: str = "mette.hansen@example.dk",
    msgid: str = "one@example.dk",
) -> str:
    """Store a mail and run the pipeline on it, as the listener and worker would."""
    msg = EmailMessage()
    msg["From"] = f"Mette Hansen <{sender}>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{msgid}>"
    msg.set_content(body)
    store_mail(runtime, bytes(msg), channel=Channel.SMTP)
    pipeline.process_pending(runtime)
    with unit_of_work(runtime.sessions) as session:
        row = session.query(Message).filter(Message.external_id == msgid).one()
        case = session.get(Case, row.case_id)
        assert case is not None, f"no case opened for {msgid}"
        return case.ref


@pytest.fixture
async def client(web_runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(web_runtime)
    transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


async def login(
    client: httpx.AsyncClient, name: str = USER, password: str = PASSWORD
) -> httpx.Response:
    page = await client.get("/login")
    return await client.post(
        "/login",
        data={
            "username": name,
            "password": password,
            "csrf_token": csrf_of(page.text),
            "next": "/cases",
        },
    )
