"""The running service: listener, pipeline worker, outbox worker and scheduler in one loop.

Blocking database work runs in threads (``asyncio.to_thread``); the workers sleep on an
``asyncio.Event`` that the adapters set when something was stored, with a short poll as
the fallback so that work left by a crash or by another process is found too.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot import outbox, pipeline
from bot.config import Settings
from bot.election import AdvisoryLock, lead
from bot.imap_watcher import ImapWatcher, cursor_key
from bot.runtime import Runtime, build_runtime
from bot.senders import EmlFolderSender, Sender, SmtpRelaySender
from bot.smtp_listener import start_smtp_listener
from handlers import classify, drafting
from storage import queries
from storage.engine import is_postgres, unit_of_work

log = logging.getLogger("privacybot.service")

POLL_SECONDS = 1.0
#: In a flood a worker lets its next batch fill before it takes it (issue 9). After a
#: batch of more than one item but less than a full one (mail arriving faster than it is
#: decided, and nothing more waiting) the pipeline waits until ``DECIDE_BATCH`` more mails
#: have arrived, the outbox until the pipeline has opened or joined ``DELIVER_BATCH`` more
#: cases, or until ``FLOOD_LINGER_SECONDS`` have passed: what a batch pays once (its
#: claim, its transaction, the audit head, the outbox's claim) is then shared by more
#: mails, which took about a sixth off the service's CPU per mail in the ingest benchmark
#: (docs/PERFORMANCE.md, item 25). A mail that arrives alone is decided at once, and a
#: full batch is followed by the next at once (a backlog: an IMAP folder, a restart).
FLOOD_LINGER_SECONDS = 0.05
DECIDE_BATCH = 20
DELIVER_BATCH = 20
#: Election name of the scheduled jobs (the retention purge): one worker runs them.
SCHEDULER_ROLE = "scheduler"
#: Election name of the web dashboard (bot.web): one worker binds its port.
WEB_ROLE = "web"
T = TypeVar("T")


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
            timeout=settings.outbox.send_timeout_seconds,
            ca_file=relay.ca_file,
        )
    else:
        mail = EmlFolderSender(settings.outbox.folder)
    # Staff notices (bot.authorisation) when no staff chat is configured: mail files in a
    # folder of their own, so they are never mistaken for mail to customers.
    senders: dict[str, Sender] = {
        "mail": mail, "staff": EmlFolderSender(settings.outbox.folder / "staff")
    }
    if settings.telegram.enabled:
        # Imported here: without Telegram the service never loads python-telegram-bot.
        from bot.telegram_app import ChatSender

        senders["chat"] = ChatSender(runtime)
    return senders


@dataclass
class Service:
    runtime: Runtime
    senders: Mapping[str, Sender]
    inbound_ready: asyncio.Event = field(default_factory=asyncio.Event)
    outbox_ready: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    #: The IMAP watchers (one per folder) run in threads, which cannot wait on an
    #: asyncio.Event: each has a stop event of its own, all set on shutdown.
    imap_stops: set[threading.Event] = field(default_factory=set)
    smtp_port: int | None = None
    _server: asyncio.AbstractServer | None = None
    #: ``/healthz`` and ``/metrics`` (bot.metrics), when ``[metrics] enabled``.
    metrics: Any = None
    metrics_port: int | None = None
    #: The staff web dashboard's port (bot.web), while this worker serves it.
    web_port: int | None = None
    _metrics_server: Any = None
    #: Wake-ups since the pipeline's last claim (one per stored SMTP or chat message, one
    #: per IMAP batch) and cases opened or joined since the outbox's last claim: how full
    #: the next batch would be (``_fill``).
    _arrived: int = 0
    _cases_decided: int = 0

    def wake_inbound(self) -> None:
        self._arrived += 1
        self.inbound_ready.set()

    async def _fill(self, count: Callable[[], int], event: asyncio.Event, batch: int) -> None:
        """Wait until ``count()`` reaches ``batch``, the flood linger passes, or the service
        stops; ``event`` is set by whatever raises the count."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FLOOD_LINGER_SECONDS
        while count() < batch and not self.stopping.is_set():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def start_listeners(self) -> None:
        if self.runtime.settings.smtp_listener.enabled:
            self._server = await start_smtp_listener(self.runtime, self.wake_inbound)
            self.smtp_port = self._server.sockets[0].getsockname()[1]
            log.info("SMTP listener on %s:%s", self.runtime.settings.smtp_listener.host,
                     self.smtp_port)
        self.start_metrics()

    def start_metrics(self) -> None:
        """Serve /healthz and /metrics on loopback; prometheus-client loads only then."""
        settings = self.runtime.settings.metrics
        if not settings.enabled or self._metrics_server is not None:
            return
        from bot.metrics import Metrics, MetricsServer

        self.metrics = self.metrics or Metrics(self.runtime)
        self._metrics_server = MetricsServer(
            self.metrics, settings.host, settings.port,
            alive=lambda: not self.stopping.is_set(),
        ).start()
        self.metrics_port = self._metrics_server.port
        log.info("metrics on http://%s:%s/metrics", settings.host, self.metrics_port)

    def stop_metrics(self) -> None:
        if self._metrics_server is not None:
            self._metrics_server.stop()
            self._metrics_server = None

    async def _sleep(self, event: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), POLL_SECONDS)
        event.clear()

    async def _step(self, what: str, func: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """One worker step in a thread. A database that is locked or away for a moment
        must not end the service: log (the error's type only; SQL errors carry the row's
        values, personal data), wait a poll interval, and let the caller try again."""
        try:
            return await asyncio.to_thread(func, *args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            log.error("%s failed (%s); trying again shortly", what, type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), POLL_SECONDS)
            return None

    async def pipeline_worker(self) -> None:
        # The classifier compiles its rules and reads its model before the first claim
        # (about 2 s on a slow machine): a crash while starting then interrupts no message,
        # where it used to count against the first one claimed (CRASH_LIMIT), and the first
        # mail of a flood is decided as fast as the rest. The listeners already take mail.
        started = time.perf_counter()
        await asyncio.to_thread(
            classify.warm_up, use_model=self.runtime.settings.classifier.model
        )
        broken = await asyncio.to_thread(drafting.warm_up, self.runtime.templates)
        if broken:
            log.warning("letter templates that do not compile: %s", ", ".join(broken))
        log.info("ready to decide in %.1f s (classifier and letters)",
                 time.perf_counter() - started)
        while not self.stopping.is_set():
            started = time.perf_counter()
            self._arrived = 0
            outcomes = await self._step(
                "deciding messages", pipeline.process_pending, self.runtime,
                limit=DECIDE_BATCH, should_stop=self.stopping.is_set,
            ) or []
            if self.metrics is not None:
                self.metrics.decided(
                    (o.status for o in outcomes), time.perf_counter() - started
                )
            if outcomes:
                self._cases_decided += sum(o.case_ref is not None for o in outcomes)
                self.outbox_ready.set()
                if 1 < len(outcomes) < DECIDE_BATCH:
                    await self._fill(lambda: self._arrived, self.inbound_ready, DECIDE_BATCH)
                continue
            await self._sleep(self.inbound_ready)

    async def outbox_worker(self) -> None:
        while not self.stopping.is_set():
            self._cases_decided = 0
            sent = await self._step(
                "delivering the outbox", outbox.deliver_due, self.runtime, self.senders,
                limit=DELIVER_BATCH, should_stop=self.stopping.is_set,
            ) or 0
            if sent:
                if 1 < sent < DELIVER_BATCH:
                    await self._fill(
                        lambda: self._cases_decided, self.outbox_ready, DELIVER_BATCH
                    )
                continue
            await self._sleep(self.outbox_ready)

    def recover(self) -> None:
        """Take up at once what this service's own crash left claimed (SQLite only).

        With SQLite there is exactly one service process, so a claim found at start-up is
        its predecessor's. PostgreSQL workers share claims and wait for them to go stale.
        """
        if is_postgres(self.runtime.engine):
            return
        with unit_of_work(self.runtime.sessions) as session:
            released = queries.release_message_claims(session)
        outbox.settle_after_restart(self.runtime, self.senders)
        if released:
            log.warning("%s messages left in hand by an earlier stop are decided again", released)

    async def run(self) -> None:
        await asyncio.to_thread(self.recover)
        await self.start_listeners()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self.pipeline_worker())
                group.create_task(self.outbox_worker())
                # Jobs that must run once across all workers: each is elected
                # (bot.election); on SQLite this process always leads.
                group.create_task(self.elected(SCHEDULER_ROLE, self.retention_worker))
                if self.runtime.settings.imap.enabled:
                    imap = self.runtime.settings.imap
                    for mailbox in imap.watched_mailboxes():
                        key = cursor_key(imap, mailbox)
                        group.create_task(self.elected(
                            f"imap:{key}", functools.partial(self.imap_watcher, mailbox=mailbox)
                        ))
                chat = self.senders.get("chat")
                channel = getattr(chat, "channel", None)
                if channel is not None:
                    group.create_task(
                        channel.run(
                            self.stopping,
                            wake_inbound=self.wake_inbound,
                            wake_outbox=self.outbox_ready.set,
                        )
                    )
                if self.runtime.settings.web.enabled:
                    # One worker serves the dashboard: its port and its login limits.
                    group.create_task(self.elected(WEB_ROLE, self.web_server))
                group.create_task(self._wait_stop())
        finally:
            if self._server is not None:
                self._server.close()
                await self._server.wait_closed()
            await asyncio.to_thread(self.stop_metrics)

    async def web_server(self, until: asyncio.Event | None = None) -> None:
        """Serve the staff dashboard in this loop until the service stops or this worker
        loses the election (``until``, which the election sets in both cases); Starlette
        and uvicorn load only when it is enabled."""
        from bot.web.server import serve_web

        def on_port(port: int) -> None:
            self.web_port = port

        try:
            await serve_web(self.runtime, until or self.stopping, on_port=on_port)
        except OSError as exc:  # the port is taken: the rest of the service goes on
            log.error("web dashboard not started: %s", exc.strerror or type(exc).__name__)
        finally:
            self.web_port = None

    async def elected(self, role: str, job: Callable[[asyncio.Event], Any]) -> None:
        """Run ``job`` only while this worker holds the election for ``role``."""
        lock = AdvisoryLock(self.runtime.engine, role)
        await lead(lock, self.stopping, job)

    async def imap_watcher(
        self, until: asyncio.Event | None = None, *, mailbox: str | None = None
    ) -> None:
        """Run the blocking watcher of one folder (``imap.mailbox`` unless named) in a
        thread; it wakes the pipeline thread-safely.

        ``until`` ends this watcher's term (lost election) without stopping the service;
        each term gets a fresh stop event, so a new term is not born stopped.
        """
        loop = asyncio.get_running_loop()
        stop = threading.Event()
        self.imap_stops.add(stop)
        if self.stopping.is_set():
            stop.set()

        def wake() -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed while we stored
                loop.call_soon_threadsafe(self.wake_inbound)

        if self.metrics is not None:
            from bot.metrics import CountingImapWatcher

            watcher: ImapWatcher = CountingImapWatcher(
                self.runtime, wake=wake, stop=stop, metrics=self.metrics, mailbox=mailbox
            )
        else:
            watcher = ImapWatcher(self.runtime, wake=wake, stop=stop, mailbox=mailbox)

        async def end_of_term() -> None:
            await (until or self.stopping).wait()
            stop.set()

        ender = asyncio.create_task(end_of_term())
        try:
            await asyncio.to_thread(watcher.run)
        finally:
            stop.set()  # also when the task group is cancelled
            ender.cancel()
            self.imap_stops.discard(stop)

    async def retention_worker(self, until: asyncio.Event | None = None) -> None:
        """The daily retention purge (``policy.purge_every_hours``), first run at start
        and at every take-over of the scheduler role (``until`` ends the term).

        Each run is one transaction that deletes only what is due, so a run on two
        workers at once, or one repeated after a crash, erases nothing twice.
        """
        from bot.retention import purge  # imported here: retention imports nothing of ours

        every = self.runtime.settings.policy.purge_every_hours * 3600
        term_over = until or self.stopping
        while not self.stopping.is_set() and not term_over.is_set():
            try:
                today = self.runtime.clock().date()
                report = await asyncio.to_thread(purge, self.runtime, today=today)
                if any(report.counts.values()):
                    # Counts and case references only, as ``privacybot purge`` prints.
                    log.info("retention %s", report.summary())
            except Exception:  # noqa: BLE001 - a failed purge must not stop the service
                log.exception("retention purge failed; it runs again at the next interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(term_over.wait(), every)

    async def _wait_stop(self) -> None:
        await self.stopping.wait()
        for stop in list(self.imap_stops):
            stop.set()
        self.inbound_ready.set()
        self.outbox_ready.set()

    def stop(self) -> None:
        """Stop taking new mail first (new connections are refused, so senders retry
        later), then let the workers finish the message in hand."""
        if self._server is not None and self._server.is_serving():
            self._server.close()
            log.info("SMTP listener closed; finishing work in hand")
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
    running = asyncio.create_task(service.run())
    stop_requested = asyncio.create_task(service.stopping.wait())
    await asyncio.wait({running, stop_requested}, return_when=asyncio.FIRST_COMPLETED)
    stop_requested.cancel()
    if not running.done():
        limit = settings.service.shutdown_seconds
        try:
            await asyncio.wait_for(asyncio.shield(running), limit)
        except TimeoutError:
            # Every step is one transaction and every claim is given back or settled at
            # the next start, so leaving now is as safe as a crash, and bounded.
            log.warning("work in hand did not finish within %s s; abandoned, a restart "
                        "takes it up again", limit)
            logging.shutdown()
            os._exit(0)
    await running
    runtime.engine.dispose()
    log.info("privacybot stopped")
