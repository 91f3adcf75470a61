"""The running service: listener, pipeline worker, outbox worker and scheduler in one loop.

Blocking database work runs in threads (``asyncio.to_thread``); the workers sleep on an
``asyncio.Event`` that the adapters set when something was stored, with a short poll as
the fallback so that work left by a crash or by another process is found too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot import outbox, pipeline
from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from bot.senders import EmlFolderSender, Sender, SmtpRelaySender
from bot.smtp_listener import start_smtp_listener

log = logging.getLogger("privacybot.service")

POLL_SECONDS = 1.0


def make_senders(runtime: Runtime) -> dict[str, Sender]:
    settings = runtime.settings
    if settings.relay.enabled:
        relay = settings.relay
        mail: Sender = SmtpRelaySender(
            host=relay.host,
            port=relay.port,
            tls=relay.tls,
            username=relay.username,
            password=relay.password.get_secret_value(),
            envelope_from=settings.company.email,
        )
    else:
        mail = EmlFolderSender(settings.outbox.folder)
    return {"mail": mail}


@dataclass
class Service:
    runtime: Runtime
    senders: Mapping[str, Sender]
    inbound_ready: asyncio.Event = field(default_factory=asyncio.Event)
    outbox_ready: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    smtp_port: int | None = None
    _server: asyncio.AbstractServer | None = None

    def wake_inbound(self) -> None:
        self.inbound_ready.set()

    async def start_listeners(self) -> None:
        if self.runtime.settings.smtp_listener.enabled:
            self._server = await start_smtp_listener(self.runtime, self.wake_inbound)
            self.smtp_port = self._server.sockets[0].getsockname()[1]
            log.info("SMTP listener on %s:%s", self.runtime.settings.smtp_listener.host,
                     self.smtp_port)

    async def _sleep(self, event: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), POLL_SECONDS)
        event.clear()

    async def pipeline_worker(self) -> None:
        while not self.stopping.is_set():
            outcomes = await asyncio.to_thread(pipeline.process_pending, self.runtime)
            if outcomes:
                self.outbox_ready.set()
                continue
            await self._sleep(self.inbound_ready)

    async def outbox_worker(self) -> None:
        while not self.stopping.is_set():
            sent = await asyncio.to_thread(outbox.deliver_due, self.runtime, self.senders)
            if sent:
                continue
            await self._sleep(self.outbox_ready)

    async def run(self) -> None:
        await self.start_listeners()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self.pipeline_worker())
                group.create_task(self.outbox_worker())
                group.create_task(self._wait_stop())
        finally:
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()

    async def _wait_stop(self) -> None:
        await self.stopping.wait()
        self.inbound_ready.set()
        self.outbox_ready.set()

    def stop(self) -> None:
        self.stopping.set()


async def serve(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM, then finish the step in hand and stop."""
    runtime = await asyncio.to_thread(build_runtime, settings)
    service = Service(runtime, make_senders(runtime))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, service.stop)
    log.info("privacybot running; database %s", runtime.engine.url.render_as_string())
    await service.run()
    runtime.engine.dispose()
    log.info("privacybot stopped")
