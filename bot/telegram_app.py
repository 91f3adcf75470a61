"""The Telegram side of the service: one PTB ``Application`` run inside our own loop.

Contract:

* Built with ``base_url``/``base_file_url`` from the settings (tests point them at a local
  server) and no persistence: the database is the only truth about cases and drafts.
* Started with ``initialize()``, ``start()`` and ``updater.start_polling()`` inside the
  service's ``TaskGroup``, stopped in reverse order. Telegram being unreachable never
  stops the service: start-up is retried with capped backoff while mail goes on.
* One poller per bot token: a second ``getUpdates`` makes Telegram answer 409 Conflict and
  the two pollers steal each other's updates. The poller (and the reminder scheduler with
  it) is a role elected like the IMAP watcher's (``bot.election``, role ``telegram:<bot
  id>``, never the token): the lock's connection is health-checked, and a worker that can
  no longer vouch for it stops polling at once and campaigns again, so a lost connection
  never leaves two pollers. Every worker may still *send*. SQLite means one process,
  which polls.
* Sending goes through the outbox: ``ChatSender`` is the outbox's ``"chat"`` transport. Its
  ``send`` runs in a worker thread and hands the Bot API call to the loop. Telegram's
  answers are split by who must act: ``RetryAfter`` (once the rate limiter's own retries
  are spent) and network errors are temporary (the outbox backs off),
  ``BadRequest``/``Forbidden`` permanent.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import BotCommand, Update
from telegram.constants import MessageLimit, ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import AIORateLimiter, Application

from bot import chat_customer, chat_staff
from bot.election import AdvisoryLock, lead
from bot.runtime import Runtime
from bot.senders import PermanentFailure, TemporaryFailure
from storage import queries
from storage.engine import unit_of_work
from storage.models import OutboxItem

log = logging.getLogger("privacybot.chat")

#: Backoff while Telegram cannot be reached at start-up: from 1 s, doubling, capped.
START_RETRY_CAP = 60.0
#: How long a sender thread waits for one Bot API call.
SEND_TIMEOUT = 60.0
#: Times one Bot API call is retried after Telegram's ``RetryAfter`` (429) before it fails.
RATE_LIMIT_RETRIES = 3
#: While Telegram cannot be reached, how often a worker asks (``getMe``) whether it is back.
PROBE_SECONDS = 5.0


def file_url(base_url: str) -> str:
    """Telegram's file URL beside a bot URL: ``…/bot`` → ``…/file/bot``."""
    head, sep, _ = base_url.rstrip("/").rpartition("/bot")
    return f"{head}/file/bot" if sep else base_url.rstrip("/") + "/file/bot"


def build_application(runtime: Runtime) -> Application:
    """The PTB application, with concurrent updates so that two simultaneous button
    presses really race in the database (whose locks decide), as they would in use.

    Every Bot API call (handlers' replies, callback answers, card edits, outbox sends) goes
    through PTB's ``AIORateLimiter``: Telegram's flood limits (30 messages a second overall,
    20 a minute per group) are kept, and a 429 ``RetryAfter`` holds all calls for the time
    Telegram names, then retries the call (``RATE_LIMIT_RETRIES`` times, then it raises)."""
    settings = runtime.settings.telegram
    return (
        Application.builder()
        .token(settings.token.get_secret_value())
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url or file_url(settings.base_url))
        .concurrent_updates(True)
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .get_updates_read_timeout(settings.poll_timeout + 10.0)
        .build()
    )


def election_role(token: str) -> str:
    """The elected role of a bot's poller: named by the bot's id, never the secret part
    (role names show in logs; ``bot.election.lock_key`` turns it into the lock id)."""
    return f"telegram:{token.split(':', 1)[0]}"


class TelegramChannel:
    """The running bot: built, started and stopped by ``run``; used by ``ChatSender``."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.application: Application | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.polling = False
        #: Set when a call failed on the network; the probe clears it when Telegram answers.
        self.unreachable = False
        self.role = election_role(runtime.settings.telegram.token.get_secret_value())

    @property
    def connected(self) -> bool:
        return self.application is not None and self.application.running

    async def run(
        self,
        stopping: asyncio.Event,
        *,
        wake_inbound: Callable[[], None],
        wake_outbox: Callable[[], None],
    ) -> None:
        """Run until ``stopping`` is set; never raises for Telegram's sake."""
        self.loop = asyncio.get_running_loop()
        application = build_application(self.runtime)
        ctx = chat_staff.ChatContext(self.runtime, wake_inbound, wake_outbox)
        chat_staff.register(application, ctx)
        chat_customer.register(application, ctx)
        application.add_error_handler(_on_error)
        started = False
        try:
            if not await self._start(application, stopping):
                return
            started = True
            self.application = application
            await asyncio.to_thread(self._hasten_waiting)
            wake_outbox()  # cards queued while Telegram was away can go now
            probe = asyncio.create_task(self._probe(application, stopping, wake_outbox))

            async def poll(until: asyncio.Event) -> None:
                await self._poll(application, until, wake_outbox)

            try:
                await lead(AdvisoryLock(self.runtime.engine, self.role), stopping, poll)
            finally:
                probe.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await probe
        finally:
            self.application = None
            await self._stop(application, started)

    async def _probe(
        self, application: Application, stopping: asyncio.Event,
        wake_outbox: Callable[[], None],
    ) -> None:
        """Telegram lost mid-run: ask every few seconds whether it is back, and when it is,
        send what waited for it at once instead of at the end of the outbox's backoff,
        which doubles up to an hour while the outage lasts."""
        while not stopping.is_set():
            await _wait(stopping, PROBE_SECONDS)
            if not self.unreachable or stopping.is_set():
                continue
            try:
                await application.bot.get_me()
            except TelegramError:
                continue
            self.unreachable = False
            log.info("telegram reachable again")
            await asyncio.to_thread(self._hasten_waiting)
            wake_outbox()

    async def _start(self, application: Application, stopping: asyncio.Event) -> bool:
        delay = 1.0
        while not stopping.is_set():
            try:
                await application.initialize()
                await application.start()
                return True
            except InvalidToken:
                log.error("telegram refused the bot token; the chat stays off")
                return False
            except (NetworkError, RetryAfter) as exc:
                log.warning("telegram unreachable at start (%s); retrying in %.0f s",
                            type(exc).__name__, delay)
                await _wait(stopping, delay)
                delay = min(delay * 2, START_RETRY_CAP)
        return False

    async def _poll(
        self, application: Application, until: asyncio.Event, wake_outbox: Callable[[], None]
    ) -> None:
        """One term as the elected poller: poll and send reminders until ``until`` (this
        worker stops, or can no longer vouch for its lock), then stop polling at once."""
        try:
            await self._start_polling(application, until)
            await self._scheduler(until, wake_outbox)
        except Exception as exc:  # the election campaigns again after a pause
            log.error("telegram polling failed (%s)", type(exc).__name__)
            raise
        finally:
            await self._stop_polling(application)

    async def _stop_polling(self, application: Application) -> None:
        self.polling = False
        with contextlib.suppress(Exception):
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
                log.info("telegram polling stopped")

    async def _start_polling(self, application: Application, stopping: asyncio.Event) -> None:
        assert application.updater is not None
        delay = 1.0
        while not stopping.is_set():
            try:
                await application.updater.start_polling(
                    timeout=self.runtime.settings.telegram.poll_timeout,
                    allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY],
                    error_callback=self._on_polling_error,
                )
                self.polling = True
                break
            except (NetworkError, RetryAfter) as exc:
                log.warning("telegram polling not started (%s); retrying in %.0f s",
                            type(exc).__name__, delay)
                await _wait(stopping, delay)
                delay = min(delay * 2, START_RETRY_CAP)
        if not self.polling:
            return
        with contextlib.suppress(TelegramError):
            await application.bot.set_my_commands(
                [BotCommand(name, text) for name, text in chat_staff.STAFF_COMMANDS]
            )
        log.info("telegram polling started")

    async def _scheduler(self, stopping: asyncio.Event, wake_outbox: Callable[[], None]) -> None:
        """Periodic work of the elected worker: staff reminders, with the runtime's clock."""
        every = self.runtime.settings.telegram.reminder_check_seconds
        while not stopping.is_set():
            try:
                if await asyncio.to_thread(chat_staff.queue_reminders, self.runtime):
                    wake_outbox()
            except Exception:  # noqa: BLE001  (one bad round must not end the chat)
                log.exception("reminder round failed")
            await _wait(stopping, every)

    async def _stop(self, application: Application, started: bool) -> None:
        await self._stop_polling(application)
        with contextlib.suppress(Exception):
            if application.running:
                await application.stop()
        if started:
            with contextlib.suppress(Exception):
                await application.shutdown()

    def _on_polling_error(self, exc: TelegramError) -> None:
        log.warning("telegram polling: %s", type(exc).__name__)
        if isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
            self.unreachable = True

    def _hasten_waiting(self) -> None:
        with unit_of_work(self.runtime.sessions) as session:
            waiting = queries.hasten_outbox(session, transport="chat", now=self.runtime.clock())
        if waiting:
            log.info("%s chat items waited for telegram; sending them now", waiting)

    # --- calls from sender threads -------------------------------------------------------

    def call(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Run a Bot API coroutine on the loop from a worker thread and wait for it."""
        if not self.connected or self.loop is None:
            coroutine.close()
            raise TemporaryFailure("telegram is not connected")
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(SEND_TIMEOUT)
        except RetryAfter as exc:
            raise TemporaryFailure(f"telegram asks to wait {exc.retry_after}") from exc
        except (BadRequest, Forbidden) as exc:
            raise PermanentFailure(f"telegram refused: {exc.message}") from exc
        except (NetworkError, TimeoutError) as exc:
            future.cancel()
            self.unreachable = True
            raise TemporaryFailure(f"telegram unreachable: {type(exc).__name__}") from exc
        except TelegramError as exc:
            raise TemporaryFailure(f"telegram error: {type(exc).__name__}") from exc


class ChatSender:
    """The outbox's ``"chat"`` transport: staff cards and their updates, acknowledgements,
    replies, reminders.

    A card is rendered when it is sent, from the database as it is then: a card whose
    draft was decided or replaced meanwhile is not posted (its successor has its own).
    """

    #: Sending a chat message twice shows it twice.
    idempotent = False

    def __init__(self, runtime: Runtime, channel: TelegramChannel | None = None) -> None:
        self.runtime = runtime
        self.channel = channel or TelegramChannel(runtime)

    def send(self, item: OutboxItem) -> None:
        data = json.loads(item.payload.decode("utf-8"))
        if item.kind == "staff_card":
            self._send_card(item, data)
            return
        if item.kind == "card_update":
            self._update_cards(data)
            return
        bot = self._bot()
        parse_mode = ParseMode.HTML if data.get("parse_mode") == "HTML" else None
        for chunk in chat_staff.split_text(data["text"], MessageLimit.MAX_TEXT_LENGTH):
            self.channel.call(bot.send_message(data["chat_id"], chunk, parse_mode=parse_mode))
        log.info("outbox %s (%s) posted in chat", item.id, item.kind)

    def _bot(self):  # type: ignore[no-untyped-def]
        application = self.channel.application
        if application is None:
            raise TemporaryFailure("telegram is not connected")
        return application.bot

    def _send_card(self, item: OutboxItem, data: dict[str, Any]) -> None:
        card = chat_staff.load_card(self.runtime, int(data["draft_id"]))
        if card is None or not card.pending:
            log.info("card for draft %s not posted: the draft was decided meanwhile",
                     data["draft_id"])
            return
        bot = self._bot()
        chat_id = int(item.recipient)
        message = self.channel.call(
            bot.send_message(
                chat_id, card.text, parse_mode=ParseMode.HTML,
                reply_markup=chat_staff.card_keyboard(card.draft_id, card.version),
            )
        )
        chat_staff.remember_post(
            self.runtime, chat_id=chat_id, message_id=message.message_id, purpose="card",
            card=card,
        )
        log.info("card for case %s draft v%s posted", card.ref, card.version)


    def _update_cards(self, data: dict[str, Any]) -> None:
        """Record a decision taken elsewhere (web, command line) on every card of the
        draft and take its buttons away, as the chat does for its own decisions.

        A card Telegram will not edit any more (deleted, too old) is left as it is: its
        buttons are refused as out of date anyway. A network error leaves the whole item
        to the outbox's retry; editing a card twice to the same text is harmless.
        """
        draft_id = int(data["draft_id"])
        card = chat_staff.load_card(self.runtime, draft_id, str(data.get("outcome", "")))
        with unit_of_work(self.runtime.sessions) as session:
            posts = [(p.chat_id, p.message_id)
                     for p in queries.chat_cards(session, draft_id=draft_id)]
        if card is None or not posts:
            return
        bot = self._bot()
        for chat_id, message_id in posts:
            try:
                self.channel.call(bot.edit_message_text(
                    card.text, chat_id=chat_id, message_id=message_id,
                    parse_mode=ParseMode.HTML, reply_markup=None,
                ))
            except PermanentFailure as exc:
                log.warning("card %s of draft %s not edited: %s", message_id, draft_id, exc)
        log.info("cards of draft %s show the decision taken outside the chat", draft_id)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


async def _on_error(update: object, context: Any) -> None:
    log.error("chat handler failed: %s", type(context.error).__name__,
              exc_info=context.error)
