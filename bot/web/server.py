"""Serving the dashboard inside the service's event loop with uvicorn.

uvicorn's ``Server.serve()`` normally installs its own SIGINT/SIGTERM handlers, which
would take the signals away from the service (whose shutdown finishes work in hand);
``_Server`` leaves signals alone and is stopped through ``should_exit`` instead.
The socket is bound here, before serving, so the port is known at once (port 0 in tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable, Generator

import uvicorn

from bot.runtime import Runtime
from bot.web.app import create_app

log = logging.getLogger("privacybot.web")


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


async def serve_web(
    runtime: Runtime, until: asyncio.Event, *, on_port: Callable[[int], None] | None = None
) -> None:
    """Serve until ``until`` is set. Access logs are off: URLs carry case references and
    search words, and the service keeps personal data out of its logs."""
    settings = runtime.settings.web
    app = create_app(runtime)
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="off", proxy_headers=False,
        server_header=False, timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    sock = bind(settings.host, settings.port)
    port = sock.getsockname()[1]
    if on_port is not None:
        on_port(port)
    log.info("web dashboard on http://%s:%s/", settings.host, port)

    async def stop_when_told() -> None:
        await until.wait()
        server.should_exit = True

    stopper = asyncio.create_task(stop_when_told())
    try:
        await server.serve(sockets=[sock])
    finally:
        stopper.cancel()
        sock.close()
