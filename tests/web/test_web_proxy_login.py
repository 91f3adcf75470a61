"""Login by a trusted reverse proxy (``[web] trusted_proxy_header``, docs/web.md): the
proxy that already logged the person in names them in a header. Only a configured staff
user is let in that way, a request without the header gets nothing, and the header means
nothing at all when the setting is off.

"Trusted" is not a source address check: the dashboard honours the header from whoever
reaches its port (the ASGI client address is not consulted), which is why it binds to
loopback by default and must stay there behind the proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy import select

from bot.config import Settings, WebSettings
from bot.runtime import Runtime, build_runtime
from bot.web.app import create_app
from bot.web.auth import COOKIE
from storage.engine import unit_of_work
from storage.models import Draft

from .conftest import USER, csrf_of, open_case, web_settings

HEADER = "X-Remote-User"
PROXY = ("127.0.0.1", 41000)  # the reverse proxy on the same machine


@pytest.fixture
def proxied_runtime(make_settings: Callable[..., Settings], database_url: str) -> Iterator[Runtime]:
    rt = build_runtime(make_settings(database_url, web=web_settings(trusted_proxy_header=HEADER)))
    yield rt
    rt.engine.dispose()


@asynccontextmanager
async def client_from(
    runtime: Runtime, address: tuple[str, int] = PROXY
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime), client=address)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c


def pending_draft(runtime: Runtime) -> Draft:
    with unit_of_work(runtime.sessions) as session:
        return (
            session.execute(select(Draft).where(Draft.status == "pending").order_by(Draft.id))
            .scalars()
            .first()
        )


async def test_the_proxy_header_logs_a_configured_staff_user_in(
    proxied_runtime: Runtime,
) -> None:
    ref = open_case(proxied_runtime)
    draft = pending_draft(proxied_runtime)
    async with client_from(proxied_runtime) as client:
        page = await client.get(f"/cases/{ref}", headers={HEADER: USER})
        assert page.status_code == 200 and ref in page.text
        assert f'<span class="who">{USER}</span>' in page.text
        assert COOKIE in page.headers.get("set-cookie", "")  # a session for the CSRF token
        # A decision from the proxied page is taken in that person's name.
        done = await client.post(
            f"/cases/{ref}/drafts/{draft.id}/approve",
            data={"csrf_token": csrf_of(page.text)},
            headers={HEADER: USER},
        )
        assert done.status_code == 303
    with unit_of_work(proxied_runtime.sessions) as session:
        decided = session.get(Draft, draft.id)
        assert decided.status == "approved" and decided.decided_by == f"web:{USER}"


@pytest.mark.parametrize("value", ["", "   ", "mallory", "ANNA", "anna2"])
async def test_no_header_or_an_unknown_name_gets_nothing(
    proxied_runtime: Runtime, value: str
) -> None:
    ref = open_case(proxied_runtime)
    draft = pending_draft(proxied_runtime)
    headers = {HEADER: value} if value else {}
    async with client_from(proxied_runtime) as client:
        for path in ("/cases", f"/cases/{ref}", "/cases.csv"):
            response = await client.get(path, headers=headers)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login"), path
            assert ref not in response.text and COOKIE not in response.headers.get("set-cookie", "")
        refused = await client.post(
            f"/cases/{ref}/drafts/{draft.id}/approve", data={}, headers=headers
        )
        assert refused.status_code == 403
    assert pending_draft(proxied_runtime).id == draft.id


async def test_a_spoofed_header_is_ignored_when_the_setting_is_off(
    client: httpx.AsyncClient, web_runtime: Runtime
) -> None:
    assert web_runtime.settings.web.trusted_proxy_header == ""
    ref = open_case(web_runtime)
    draft = pending_draft(web_runtime)
    for header in (HEADER, "Remote-User", "X-Forwarded-User"):
        response = await client.get(f"/cases/{ref}", headers={header: USER})
        assert response.status_code == 303 and ref not in response.text
        refused = await client.post(
            f"/cases/{ref}/drafts/{draft.id}/approve", data={}, headers={header: USER}
        )
        assert refused.status_code == 403
    assert pending_draft(web_runtime).id == draft.id


async def test_trusted_means_reaching_the_port_so_the_dashboard_binds_to_loopback(
    proxied_runtime: Runtime,
) -> None:
    """The header is taken from whichever address reaches the dashboard: the guard is the
    bind address (loopback by default), not a check of the peer. Documented in docs/web.md;
    a deployment that binds elsewhere must firewall the port to the proxy."""
    assert WebSettings().host == "127.0.0.1"
    ref = open_case(proxied_runtime)
    async with client_from(proxied_runtime, ("203.0.113.7", 52000)) as client:
        page = await client.get(f"/cases/{ref}", headers={HEADER: USER})
        assert page.status_code == 200 and ref in page.text
        # X-Forwarded-For changes nothing either way (uvicorn runs with proxy_headers off).
        client.cookies.clear()
        without = await client.get(f"/cases/{ref}", headers={"X-Forwarded-For": "127.0.0.1"})
        assert without.status_code == 303
