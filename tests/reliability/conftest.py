"""Shared pieces of the reliability tests: a running service, SMTP sending, waiting.

The service runs in the test's event loop exactly as ``privacybot run`` runs it
(``Service.run``), on SQLite in the test's temp folder, so what these tests see is what a
user of the embedded default would see.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import func, select

from bot.config import Settings
from bot.runtime import build_runtime
from bot.service import Service, make_senders
from storage.engine import unit_of_work
from storage.models import Message, OutboxItem


@asynccontextmanager
async def running_service(settings: Settings, **runtime_args: Any) -> AsyncIterator[Service]:
    runtime = await asyncio.to_thread(build_runtime, settings, **runtime_args)
    svc = Service(runtime, make_senders(runtime))
    task = asyncio.create_task(svc.run())
    for _ in range(200):
        if svc.smtp_port or task.done():
            break
        await asyncio.sleep(0.05)
    assert svc.smtp_port, "the SMTP listener did not start"
    try:
        yield svc
    finally:
        svc.stop()
        await asyncio.wait_for(task, 30)
        runtime.engine.dispose()


def settled(svc: Service) -> bool:
    """Nothing left to decide and nothing left to send (failed and in-doubt are final)."""
    with unit_of_work(svc.runtime.sessions) as session:
        busy_messages = session.execute(
            select(func.count(Message.id)).where(Message.status.in_(("received", "processing")))
        ).scalar_one()
        busy_outbox = session.execute(
            select(func.count(OutboxItem.id)).where(OutboxItem.status.in_(("pending", "sending")))
        ).scalar_one()
    return busy_messages == 0 and busy_outbox == 0
