"""Optional health and metrics endpoint on loopback: ``/healthz`` and ``/metrics``.

Off by default (``[metrics] enabled``). What describes the state of the work (cases open
and overdue, outbox backlog and failures, messages and requests by type) is read from the
database at scrape time rather than counted in memory: several workers share one
database, a restart loses nothing, and every worker reports the same truth. What only
this process can see (messages it decided, how long that took, IMAP reconnects) is
counted in memory.

The endpoint runs in its own thread with a blocking WSGI server, so a slow scrape (a
database query) never stalls the event loop that answers SMTP clients. Nothing exposed
carries personal data: labels are channels, statuses and request types only.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Histogram, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select, text

from bot.imap_watcher import ImapWatcher
from bot.runtime import Runtime
from handlers.values import REQUEST_TYPES
from storage.engine import unit_of_work
from storage.models import Case, Message, OutboxItem
from storage.queries import OPEN_STATUSES

log = logging.getLogger("privacybot.service")

#: Outbox statuses that need nobody yet (waiting or being sent) and those that need a person.
_BACKLOG = ("pending", "sending")
_NEEDS_PERSON = ("failed", "in_doubt")


class DatabaseCollector(Collector):
    """Gauges computed from the database on every scrape."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily(
            "privacybot_database_up", "1 when the database answered this scrape."
        )
        try:
            snapshot = self._snapshot(self.runtime.clock().date())
        except Exception as exc:  # noqa: BLE001 - a scrape must answer, not crash
            log.warning("metrics: database not readable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from snapshot

    def _snapshot(self, today: date) -> list[GaugeMetricFamily]:
        with unit_of_work(self.runtime.sessions) as session:
            # Received only: the letters we sent are messages of their cases too.
            messages = session.execute(
                select(Message.channel, func.count(Message.id))
                .where(Message.direction == "in")
                .group_by(Message.channel)
            ).all()
            case_statuses = session.execute(
                select(Case.status, func.count(Case.id)).group_by(Case.status)
            ).all()
            effective = func.coalesce(Case.extended_deadline, Case.deadline)
            overdue = session.execute(
                select(func.count(Case.id))
                .where(Case.status.in_(OPEN_STATUSES))
                .where(effective < today)
            ).scalar_one()
            labels = session.execute(select(Case.labels)).scalars().all()
            outbox = session.execute(
                select(OutboxItem.status, func.count(OutboxItem.id)).group_by(OutboxItem.status)
            ).all()

        received = GaugeMetricFamily(
            "privacybot_messages_received",
            "Messages received and still held (the retention purge removes old ones).",
            labels=["channel"],
        )
        for channel, count in messages:
            received.add_metric([channel], count)

        by_status = dict(case_statuses)
        cases = GaugeMetricFamily("privacybot_cases", "Cases held, by status.", labels=["status"])
        for status, count in sorted(by_status.items()):
            cases.add_metric([status], count)
        open_cases = GaugeMetricFamily(
            "privacybot_cases_open", "Cases waiting for staff or for the requester."
        )
        open_cases.add_metric([], sum(by_status.get(s, 0) for s in OPEN_STATUSES))
        overdue_cases = GaugeMetricFamily(
            "privacybot_cases_overdue", "Open cases past their (extended) deadline."
        )
        overdue_cases.add_metric([], overdue)

        per_type = dict.fromkeys((str(t) for t in REQUEST_TYPES), 0)
        per_type["not_privacy"] = 0
        for raw in labels:
            for label in json.loads(raw or "[]"):
                per_type[str(label)] = per_type.get(str(label), 0) + 1
        requests = GaugeMetricFamily(
            "privacybot_requests", "Cases held that carry each request type.", labels=["type"]
        )
        for label, count in per_type.items():
            requests.add_metric([label], count)

        by_outbox = dict(outbox)
        items = GaugeMetricFamily(
            "privacybot_outbox_items", "Outbox items held, by status.", labels=["status"]
        )
        for status, count in sorted(by_outbox.items()):
            items.add_metric([status], count)
        backlog = GaugeMetricFamily(
            "privacybot_outbox_backlog", "Outbox items waiting to be sent or being sent."
        )
        backlog.add_metric([], sum(by_outbox.get(s, 0) for s in _BACKLOG))
        failed = GaugeMetricFamily(
            "privacybot_outbox_failed",
            "Outbox items that failed for good or may not have been sent: a person decides.",
        )
        failed.add_metric([], sum(by_outbox.get(s, 0) for s in _NEEDS_PERSON))
        return [received, cases, open_cases, overdue_cases, requests, items, backlog, failed]


class Metrics:
    """The registry of one service process; its own, so tests and services never share."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._lock = threading.Lock()
        self._imap_attempts = 0
        self.registry = CollectorRegistry()
        self.registry.register(DatabaseCollector(runtime))
        self.messages_decided = Counter(
            "privacybot_messages_decided",
            "Messages this process decided, by outcome.",
            ["status"],
            registry=self.registry,
        )
        self.pipeline_seconds = Histogram(
            "privacybot_pipeline_seconds",
            "Time to decide one message (normalise, loop guard, classify, case, draft), "
            "averaged over the batch it was claimed in.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.imap_connects = Counter(
            "privacybot_imap_connects", "IMAP connection attempts.", registry=self.registry
        )
        self.imap_reconnects = Counter(
            "privacybot_imap_reconnects",
            "IMAP connection attempts after the first (server restarts, network).",
            registry=self.registry,
        )

    def decided(self, statuses: Iterable[str], seconds: float) -> None:
        """Count one pipeline batch; ``seconds`` is the batch's wall time."""
        statuses = list(statuses)
        for status in statuses:
            self.messages_decided.labels(status=status).inc()
        if statuses:
            per_message = seconds / len(statuses)
            for _ in statuses:
                self.pipeline_seconds.observe(per_message)

    def imap_connect(self) -> None:
        """One connection attempt; every one after the first is a reconnect."""
        with self._lock:
            again = self._imap_attempts > 0
            self._imap_attempts += 1
        self.imap_connects.inc()
        if again:
            self.imap_reconnects.inc()


class CountingImapWatcher(ImapWatcher):
    """The IMAP watcher, counting each connection attempt for ``/metrics``."""

    def __init__(self, *args: Any, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._metrics = metrics

    def _connect(self):  # type: ignore[no-untyped-def]
        self._metrics.imap_connect()
        return super()._connect()


def healthy(runtime: Runtime) -> tuple[bool, str]:
    """Whether the database answers: without it nothing is received or sent."""
    try:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure is "not healthy"
        return False, f"database unreachable ({type(exc).__name__})"
    return True, "ok"


def make_app(
    metrics: Metrics, *, alive: Callable[[], bool] = lambda: True
) -> Callable[..., Iterable[bytes]]:
    """The WSGI application: ``/healthz``, ``/metrics``, and 404 for the rest."""
    metrics_app = make_wsgi_app(metrics.registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return metrics_app(environ, start_response)
        if path == "/healthz":
            ok, reason = healthy(metrics.runtime)
            if ok and not alive():
                ok, reason = False, "stopping"
            status = "200 OK" if ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
            return [(reason + "\n").encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"not found: try /healthz or /metrics\n"]

    return app


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Scrapes every few seconds would drown the log; errors still reach the client."""


class MetricsServer:
    """The endpoint in a thread; ``port`` is the bound one (useful with port 0)."""

    def __init__(
        self, metrics: Metrics, host: str, port: int, *, alive: Callable[[], bool] = lambda: True
    ) -> None:
        self._server = make_server(
            host, port, make_app(metrics, alive=alive),
            server_class=_ThreadingServer, handler_class=_QuietHandler,
        )
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="privacybot-metrics", daemon=True
        )

    def start(self) -> MetricsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
