"""SMTP load: a flood over N concurrent connections, or a steady rate.

Each connection is kept open and sends one mail after another (MAIL, RCPT, DATA), as a
sending MTA with a queue does. A 4xx answer is retried on the same connection, as an
MTA would retry later; any other failure stops the benchmark.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import aiosmtplib

from bench.mails import COMPANY, Mail


@dataclass
class Sent:
    """Per mail: wall time just before DATA was sent, and when its 250 came back."""

    data_at: dict[str, float] = field(default_factory=dict)
    ok_at: dict[str, float] = field(default_factory=dict)
    retries: int = 0


async def _connect(port: int) -> aiosmtplib.SMTP:
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=60)
    await client.connect()
    await client.ehlo()
    return client


async def _send_one(client: aiosmtplib.SMTP, mail: Mail, sent: Sent) -> None:
    for _ in range(20):
        await client.mail(mail.sender)
        await client.rcpt(COMPANY)
        data_at = time.time()
        try:
            await client.data(mail.data)
        except aiosmtplib.SMTPResponseException as exc:
            if 400 <= exc.code < 500:
                sent.retries += 1
                await client.rset()
                await asyncio.sleep(0.05)
                continue
            raise
        sent.data_at[mail.message_id] = data_at
        sent.ok_at[mail.message_id] = time.time()
        return
    raise RuntimeError("a mail was refused 20 times")


async def flood(port: int, mails: list[Mail], *, connections: int = 8) -> tuple[float, Sent]:
    """Send every mail over ``connections`` connections; returns (seconds, Sent)."""
    queue: asyncio.Queue[Mail] = asyncio.Queue()
    for mail in mails:
        queue.put_nowait(mail)
    sent = Sent()
    clients = [await _connect(port) for _ in range(connections)]

    async def worker(client: aiosmtplib.SMTP) -> None:
        while True:
            try:
                mail = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await _send_one(client, mail, sent)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in clients))
    seconds = time.perf_counter() - t0
    for client in clients:
        await client.quit()
    return seconds, sent


async def steady(port: int, mails: list[Mail], *, rate: float,
                 connections: int = 4) -> Sent:
    """Open-loop: mail i starts at t0 + i/rate whatever the server does."""
    pool: asyncio.Queue[aiosmtplib.SMTP] = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await _connect(port))
    sent = Sent()
    t0 = time.perf_counter()

    async def one(i: int, mail: Mail) -> None:
        await asyncio.sleep(max(0.0, t0 + i / rate - time.perf_counter()))
        client = await pool.get()
        try:
            await _send_one(client, mail, sent)
        finally:
            pool.put_nowait(client)

    await asyncio.gather(*(one(i, m) for i, m in enumerate(mails)))
    while not pool.empty():
        await pool.get_nowait().quit()
    return sent
