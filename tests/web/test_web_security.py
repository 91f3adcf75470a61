"""The dashboard's guard on both backends: nobody gets a case without logging in, a form
without its CSRF token changes nothing, guessing passwords is cut off, and a stale draft
version is refused exactly as in the chat and on the command line."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from bot import staff
from bot.runtime import Runtime
from storage.engine import unit_of_work
from storage.models import AuditEvent, Draft, OutboxItem

from .conftest import PASSWORD, USER, csrf_of, login, open_case


def pending_draft(runtime: Runtime) -> Draft:
    with unit_of_work(runtime.sessions) as session:
        return (
            session.execute(select(Draft).where(Draft.status == "pending").order_by(Draft.id))
            .scalars()
            .first()
        )


async def test_anonymous_gets_nothing(client: httpx.AsyncClient, web_runtime: Runtime) -> None:
    ref = open_case(web_runtime)
    draft = pending_draft(web_runtime)
    for path in (
        "/",
        "/cases",
        f"/cases/{ref}",
        "/figures",
        "/cases.csv",
        f"/cases/{ref}/export.json",
        f"/cases/{ref}/export.html",
    ):
        response = await client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login"), path
        assert ref not in response.text and "example.dk" not in response.text
    response = await client.post(f"/cases/{ref}/drafts/{draft.id}/approve", data={})
    assert response.status_code == 403
    client.cookies.set("privacybot_session", "eyJ1IjoiYW5uYSJ9.x.y", domain="testserver")
    forged = await client.get("/cases")
    assert forged.status_code == 303
    assert pending_draft(web_runtime).id == draft.id


async def test_login_sets_a_strict_cookie_and_pages_carry_security_headers(
    client: httpx.AsyncClient, web_runtime: Runtime
) -> None:
    ref = open_case(web_runtime)
    response = await login(client)
    assert response.status_code == 303 and response.headers["location"] == "/cases"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
    page = await client.get("/cases")
    assert page.status_code == 200 and ref in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert (await client.get(f"/cases/{ref}")).status_code == 200


async def test_a_forged_form_post_is_refused(
    client: httpx.AsyncClient, web_runtime: Runtime
) -> None:
    ref = open_case(web_runtime)
    draft = pending_draft(web_runtime)
    await login(client)
    url = f"/cases/{ref}/drafts/{draft.id}/approve"
    assert (await client.post(url, data={})).status_code == 403
    assert (await client.post(url, data={"csrf_token": "guess"})).status_code == 403
    token = csrf_of((await client.get(f"/cases/{ref}")).text)
    cross_site = await client.post(
        url, data={"csrf_token": token}, headers={"origin": "https://evil.example"}
    )
    assert cross_site.status_code == 403
    with unit_of_work(web_runtime.sessions) as session:
        assert session.get(Draft, draft.id).status == "pending"
        assert not session.execute(select(OutboxItem).where(OutboxItem.kind == "reply")).first()
    # The login form itself needs its token too.
    blind = await client.post("/login", data={"username": USER, "password": PASSWORD})
    assert blind.status_code == 403


async def test_wrong_passwords_are_rate_limited(
    client: httpx.AsyncClient, web_runtime: Runtime
) -> None:
    for _ in range(3):  # web_settings: login_attempts = 3
        response = await login(client, password="not the password")
        assert response.status_code == 401
        assert "Wrong user name or password" in response.text
    blocked = await login(client, password="not the password")
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    # Even the right password waits now: the limit is on the name, not on the guess.
    still = await login(client)
    assert still.status_code == 429
    unknown = await login(client, name="nobody", password="x" * 12)
    assert unknown.status_code == 401


async def test_approve_from_the_web_and_a_stale_version_is_refused(
    client: httpx.AsyncClient, web_runtime: Runtime
) -> None:
    ref = open_case(web_runtime)
    v1 = pending_draft(web_runtime)
    await login(client)
    stale_page = (await client.get(f"/cases/{ref}")).text
    token = csrf_of(stale_page)
    # Someone else edits in the chat meanwhile: version 1 is superseded.
    v2 = staff.edit_draft(web_runtime, draft_id=v1.id, actor="tg:42", body="Ny tekst\n")
    refused = await client.post(f"/cases/{ref}/drafts/{v1.id}/approve", data={"csrf_token": token})
    assert refused.status_code == 409
    assert "Refused" in refused.text and "replaced it" in refused.text
    page = await client.get(f"/cases/{ref}")
    assert re.search(r"Version 1 \(reply\): <span[^>]*>superseded", page.text)
    assert "Changes from the previous reply version" in page.text
    ok = await client.post(f"/cases/{ref}/drafts/{v2.draft_id}/approve", data={"csrf_token": token})
    assert ok.status_code == 303
    with unit_of_work(web_runtime.sessions) as session:
        assert session.get(Draft, v2.draft_id).decided_by == f"web:{USER}"
        assert (
            session.execute(select(OutboxItem).where(OutboxItem.kind == "reply"))
            .scalar_one()
            .case_id
            is not None
        )
    again = await client.post(
        f"/cases/{ref}/drafts/{v2.draft_id}/approve", data={"csrf_token": token}
    )
    assert again.status_code == 409 and "already approved" in again.text


async def test_reject_edit_relabel_and_extend_go_through_staff_code(
    client: httpx.AsyncClient, web_runtime: Runtime
) -> None:
    ref = open_case(web_runtime)
    v1 = pending_draft(web_runtime)
    await login(client)
    token = csrf_of((await client.get(f"/cases/{ref}")).text)
    base = f"/cases/{ref}/drafts"
    edited = await client.post(
        f"{base}/{v1.id}/edit", data={"csrf_token": token, "body": "Ny tekst\r\nlinje 2\r\n"}
    )
    assert edited.status_code == 303
    v2 = pending_draft(web_runtime)
    assert v2.version == 2 and v2.body == "Ny tekst\nlinje 2\n"
    relabel = await client.post(
        f"{base}/{v2.id}/relabel", data={"csrf_token": token, "labels": ["access", "erasure"]}
    )
    assert relabel.status_code == 303
    v3 = pending_draft(web_runtime)
    assert v3.version == 3
    extended = await client.post(
        f"/cases/{ref}/extend", data={"csrf_token": token, "reason": "many systems"}
    )
    assert extended.status_code == 303
    no_reason = await client.post(f"{base}/{v3.id}/reject", data={"csrf_token": token})
    assert no_reason.status_code == 409 and "needs a reason" in no_reason.text
    rejected = await client.post(
        f"{base}/{v3.id}/reject", data={"csrf_token": token, "reason": "duplicate"}
    )
    assert rejected.status_code == 303
    with unit_of_work(web_runtime.sessions) as session:
        actions = [
            e.action
            for e in session.execute(
                select(AuditEvent).where(AuditEvent.case_ref == ref).order_by(AuditEvent.id)
            ).scalars()
        ]
    for action in ("draft_edited", "case_relabelled", "deadline_extended", "draft_rejected"):
        assert action in actions
    page = await client.get(f"/cases/{ref}")
    assert "Audit chain verified" in page.text


async def test_a_draft_of_another_case_is_not_decided_under_this_page(
    client: httpx.AsyncClient, web_runtime: Runtime
) -> None:
    first = open_case(web_runtime, msgid="a@example.dk")
    draft = pending_draft(web_runtime)
    second = open_case(
        web_runtime,
        msgid="b@example.dk",
        sender="ole@example.dk",
        subject="Indsigt",
        body="Jeg vil have indsigt i mine data.",
    )
    assert first != second
    await login(client)
    token = csrf_of((await client.get(f"/cases/{second}")).text)
    wrong = await client.post(
        f"/cases/{second}/drafts/{draft.id}/approve", data={"csrf_token": token}
    )
    assert wrong.status_code == 409
    assert pending_draft(web_runtime).id == draft.id


async def test_logout_ends_the_session(client: httpx.AsyncClient, web_runtime: Runtime) -> None:
    await login(client)
    token = csrf_of((await client.get("/cases")).text)
    assert (await client.post("/logout", data={"csrf_token": token})).status_code == 303
    assert (await client.get("/cases")).status_code == 303


async def test_every_form_refuses_a_post_without_its_token(
    client: httpx.AsyncClient, web_runtime: Runtime
) -> None:
    """Each form the pages offer, posted as another site would (logged-in cookie, no
    token or a wrong one): refused, and nothing about the case changes."""
    ref = open_case(web_runtime)
    draft = pending_draft(web_runtime)
    await login(client)
    page = (await client.get(f"/cases/{ref}")).text
    actions = set(re.findall(r'<form method="post" action="([^"]+)"', page))
    base = f"/cases/{ref}/drafts/{draft.id}"
    assert actions == {
        "/logout",
        f"/cases/{ref}/extend",
        f"{base}/approve",
        f"{base}/reject",
        f"{base}/edit",
        f"{base}/relabel",
    }
    fields = {"reason": "x", "body": "Ny tekst\n", "labels": "access"}
    with unit_of_work(web_runtime.sessions) as session:
        events_before = session.execute(select(AuditEvent.id)).scalars().all()
    for action in sorted(actions):
        for token in ({}, {"csrf_token": "not-the-token"}):
            response = await client.post(action, data={**fields, **token})
            assert response.status_code == 403, (action, token)
    with unit_of_work(web_runtime.sessions) as session:
        assert session.execute(select(AuditEvent.id)).scalars().all() == events_before
        assert session.get(Draft, draft.id).status == "pending"
    assert (await client.get("/cases")).status_code == 200  # and still logged in
