"""``/healthz`` and ``/metrics`` of a running service, read as Prometheus reads them."""

from __future__ import annotations

import asyncio
import os
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable
from email.message import EmailMessage

import aiosmtplib
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.runtime import build_runtime
from bot.service import Service, make_senders
from tests.support import wait_for


async def start(settings: Settings) -> tuple[Service, asyncio.Task[None]]:
    runtime = await asyncio.to_thread(build_runtime, settings)
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    for _ in range(200):
        if svc.smtp_port:
            break
        await asyncio.sleep(0.05)
    return svc, task


@pytest.fixture
async def service(
    make_settings: Callable[..., Settings], database_url: str
) -> AsyncIterator[Service]:
    svc, task = await start(make_settings(database_url, metrics={"enabled": True, "port": 0}))
    yield svc
    svc.stop()
    await asyncio.wait_for(task, 15)
    svc.runtime.engine.dispose()


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def samples(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, body = get(port, "/metrics")
    assert status == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


async def test_metrics_count_a_request_from_mail_to_case(service: Service) -> None:
    port = service.metrics_port
    assert port
    status, body = await asyncio.to_thread(get, port, "/healthz")
    assert (status, body) == (200, "ok\n")
    before = await asyncio.to_thread(samples, port)
    assert before[("privacybot_cases_open", ())] == 0
    assert before[("privacybot_database_up", ())] == 1

    msg = EmailMessage()
    msg["From"] = "Mette Hansen <mette@example.dk>"
    msg["To"] = "info@alottbetter.dk"
    msg["Subject"] = "Slet mine oplysninger"
    msg["Message-ID"] = "<metrics.1@example.dk>"
    msg.set_content("Hej\n\nJeg vil gerne have slettet alle mine personoplysninger.\n\nMette")
    await aiosmtplib.send(msg, hostname="127.0.0.1", port=service.smtp_port, timeout=10)

    def decided(values: dict) -> float:  # type: ignore[type-arg]
        wanted = "privacybot_messages_decided_total"
        return sum(v for (name, _), v in values.items() if name == wanted)

    # The case is committed a moment before the worker counts the message it decided.
    after = await wait_for(
        lambda: (
            (s := samples(port)).get(("privacybot_cases_open", ())) == 1 and decided(s) == 1 and s
        )
    )
    assert isinstance(after, dict)
    assert after[("privacybot_messages_received", (("channel", "smtp"),))] == 1
    assert after[("privacybot_requests", (("type", "erasure"),))] == 1
    assert after[("privacybot_requests", (("type", "access"),))] == 0
    assert after[("privacybot_cases_overdue", ())] == 0
    assert after[("privacybot_pipeline_seconds_count", ())] == 1
    # The acknowledgement goes through the outbox: backlog now or already sent.
    await wait_for(lambda: samples(port)[("privacybot_outbox_backlog", ())] == 0)
    final = await asyncio.to_thread(samples, port)
    assert final[("privacybot_outbox_items", (("status", "sent"),))] >= 1
    assert final[("privacybot_outbox_failed", ())] == 0
    # The acknowledgement sent is a message of its case, not mail received.
    assert final[("privacybot_messages_received", (("channel", "smtp"),))] == 1
    assert not [
        key
        for key in final
        if key[0] == "privacybot_messages_received" and key[1] != (("channel", "smtp"),)
    ]

    status, body = await asyncio.to_thread(get, port, "/metrics")
    assert "mette" not in body.lower() and "slet" not in body.lower()
    status, _ = await asyncio.to_thread(get, port, "/elsewhere")
    assert status == 404


async def test_metrics_are_off_by_default(make_settings: Callable[..., Settings]) -> None:
    svc, task = await start(make_settings())
    try:
        assert svc.metrics_port is None and svc.metrics is None
    finally:
        svc.stop()
        await asyncio.wait_for(task, 15)
        svc.runtime.engine.dispose()


def test_an_unreachable_database_makes_healthz_fail_and_metrics_say_so(
    make_settings: Callable[..., Settings],
) -> None:
    from bot.metrics import Metrics, MetricsServer
    from tests.bot.test_doctor import closed_port

    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/privacybot"
    runtime = build_runtime(make_settings(url), migrate=False)
    server = MetricsServer(Metrics(runtime), "127.0.0.1", 0).start()
    try:
        status, body = get(server.port, "/healthz")
        assert status == 503 and body.startswith("database unreachable")
        assert samples(server.port)[("privacybot_database_up", ())] == 0
    finally:
        server.stop()
        runtime.engine.dispose()


async def test_imap_reconnects_are_counted(make_settings: Callable[..., Settings]) -> None:
    from tests.servers.dovecot import Dovecot, unavailable_reason

    reason = unavailable_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"Dovecot is required in CI: {reason}")
        pytest.skip(reason)
    server = Dovecot()
    await asyncio.to_thread(server.start)
    imap = {
        "enabled": True,
        "host": server.host,
        "port": server.port,
        "tls": "none",
        "username": server.user,
        "password": server.password,
    }
    svc, task = await start(make_settings(imap=imap, metrics={"enabled": True, "port": 0}))
    try:
        port = svc.metrics_port
        assert port
        await wait_for(lambda: samples(port)[("privacybot_imap_connects_total", ())] >= 1)
        assert samples(port)[("privacybot_imap_reconnects_total", ())] == 0
        await asyncio.to_thread(server.restart)
        # The watcher reconnects with backoff (1 s, 2 s, 4 s ... with jitter); on a busy
        # machine Dovecot's restart and those waits add up, so only a hang should fail here.
        await wait_for(
            lambda: samples(port)[("privacybot_imap_reconnects_total", ())] >= 1, timeout=90.0
        )
    finally:
        svc.stop()
        await asyncio.wait_for(task, 15)
        svc.runtime.engine.dispose()
        await asyncio.to_thread(server.close)


def test_a_case_past_its_deadline_is_counted_overdue(
    make_settings: Callable[..., Settings],
    database_url: str,
) -> None:
    """The gauge an alert rule watches: zero while the month runs, one the day after."""
    from datetime import timedelta

    from bot import pipeline
    from bot.metrics import Metrics, MetricsServer
    from bot.smtp_listener import store_mail
    from handlers.values import Channel
    from storage import queries
    from storage.engine import unit_of_work

    settings = make_settings(database_url)
    runtime = build_runtime(settings)
    raw = (
        b"From: Mette <mette@example.dk>\r\nTo: info@alottbetter.dk\r\n"
        b"Subject: Slet mine data\r\nMessage-ID: <overdue.1@example.dk>\r\n\r\n"
        b"Jeg vil gerne have slettet alle mine personoplysninger.\r\n"
    )
    store_mail(runtime, raw, channel=Channel.SMTP)
    [outcome] = pipeline.process_pending(runtime)
    with unit_of_work(runtime.sessions) as session:
        deadline = queries.get_case(session, ref=outcome.case_ref or "").deadline
    runtime.engine.dispose()

    def overdue_on(day_offset: int) -> float:
        at = build_runtime(
            settings,
            migrate=False,
            clock=lambda: (
                runtime.clock().replace(year=deadline.year, month=deadline.month, day=deadline.day)
                + timedelta(days=day_offset)
            ),
        )
        server = MetricsServer(Metrics(at), "127.0.0.1", 0).start()
        try:
            values = samples(server.port)
            assert values[("privacybot_cases_open", ())] == 1
            return values[("privacybot_cases_overdue", ())]
        finally:
            server.stop()
            at.engine.dispose()

    assert overdue_on(0) == 0, "due today is not overdue"
    assert overdue_on(1) == 1
