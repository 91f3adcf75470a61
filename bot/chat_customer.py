"""Customers in private chat with the bot: their messages enter the same path as mail.

The handler only stores (``queries.store_inbound``, keyed ``tg:<chat>:<message>`` so a
redelivered update is stored once) and wakes the pipeline; classification, the case, the
acknowledgement in chat and the draft all happen there, exactly as for mail. The stored
raw bytes are the JSON of ``normalise.parse_chat``'s keyword fields, which is what
``pipeline.inbound_from_row`` decodes.

A chat user is not a verified identity: the chat id only says "the same Telegram
account". Logs therefore name chat and message ids, never names or text.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.chat_staff import CUSTOMER_HELP, ChatContext, chat_context
from bot.runtime import Runtime
from handlers.values import Channel
from storage import queries
from storage.engine import unit_of_work

log = logging.getLogger("privacybot.inbound")


def chat_fields(update: Update) -> dict[str, object]:
    """The keyword fields of ``normalise.parse_chat`` for a private message."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    reply = message.reply_to_message
    return {
        "chat_id": message.chat.id,
        "message_id": message.message_id,
        "user_id": user.id,
        "user_name": name,
        "text": message.text or "",
        "reply_to_message_id": reply.message_id if reply is not None else None,
    }


def store_chat_message(runtime: Runtime, fields: dict[str, object]) -> tuple[int, bool]:
    """Store one chat message before anything else; returns (row id, new?)."""
    raw = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode("utf-8")
    ident = f"tg:{fields['chat_id']}:{fields['message_id']}"
    with unit_of_work(runtime.sessions) as session:
        row, new = queries.store_inbound(
            session, channel=str(Channel.CHAT), external_id=ident, raw=raw,
            message_id=ident, sender=f"tg:{fields['user_id']}", received_at=runtime.clock(),
        )
        return row.id or 0, new


async def on_private_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    ctx = chat_context(context)
    fields = chat_fields(update)
    row_id, new = await asyncio.to_thread(store_chat_message, ctx.runtime, fields)
    log.info("chat message %s stored as message %s%s", fields["message_id"], row_id,
             "" if new else " (already stored)")
    if new:
        ctx.wake_inbound()


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            html.escape(CUSTOMER_HELP), parse_mode=ParseMode.HTML
        )


def register(application: Application, ctx: ChatContext) -> None:
    """Private text messages become inbound messages (after the staff guard has run)."""
    if not ctx.runtime.settings.telegram.customer_chat:
        return
    application.add_handler(CommandHandler("start", on_start, filters.ChatType.PRIVATE))
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND,
                       on_private_message)
    )
