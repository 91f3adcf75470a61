"""The staff chat: case cards with buttons, replies that edit, commands, reminders.

Contract:

* Every decision goes through ``bot.staff`` (the same functions as the command line), each
  one transaction that locks the draft and refuses a stale version; this module only
  translates taps and replies into those calls and shows the outcome.
* Only the numeric Telegram user ids in ``telegram.staff_user_ids`` may act. The check
  runs on every update, button presses included (``CallbackQueryHandler`` has no user
  filter), before any handler; a refusal is a short answer and an audit event.
* ``callback_data`` is ``d:<draft id>:<version>:<action>`` (or ``l:…`` while choosing
  labels): compact, versioned, and decided by the database, never by what a card shows.
  Mail the classifier was unsure of (``/uncertain``) has ``u:<message id>:<type>`` or
  ``u:<message id>:no`` (ordinary mail), decided by ``bot.uncertain``.
  Every callback query is answered exactly once.
* Cards are HTML parse mode, rendered from ``templates/staff_card.html.j2`` with
  autoescape, after ``handlers.preview`` has masked the sender and hidden special-category
  data; a card never exceeds Telegram's 4096 characters.
* Logs carry case references, draft ids and Telegram user ids, never text or names.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from telegram import (
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import staff, uncertain
from bot.runtime import Runtime
from handlers import case_rules, drafting, preview
from handlers.values import REQUEST_TYPES
from storage import queries
from storage.audit import append_event
from storage.engine import unit_of_work
from storage.models import Case, Draft, as_utc

log = logging.getLogger("privacybot.chat")

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

#: Commands staff may use, with the line ``/help`` and Telegram's command menu show.
STAFF_COMMANDS: tuple[tuple[str, str], ...] = (
    ("cases", "open cases, soonest deadline first"),
    ("case", "one case: /case PR-2026-0001"),
    ("overdue", "open cases past their deadline"),
    ("stats", "how many cases in each status"),
    ("uncertain", "mail the classifier was unsure of: open a case or call it ordinary"),
    ("help", "what the bot can do"),
)

#: Card buttons: (label, action code in callback_data).
CARD_ACTIONS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("✅ Approve", "ok"), ("✏️ Edit", "ed")),
    (("❌ Reject", "rj"), ("🏷 Relabel", "rl"), ("⏳ Extend", "ex")),
)

#: What a customer sees for /start and /help in a private chat (staff see help_text()).
CUSTOMER_HELP = (
    "Write your request about your personal data here, in Danish or English, and you "
    "will get a case reference at once and our answer in this chat. / Skriv din "
    "henvendelse om dine personoplysninger her, så får du et sagsnummer med det samme "
    "og vores svar her i chatten."
)

STALE = "This button is out of date: {reason}"
NOT_STAFF = "Only staff can do that."


@dataclass
class ChatContext:
    """What handlers need besides the update; stored in ``application.bot_data``."""

    runtime: Runtime
    wake_inbound: Callable[[], None]
    wake_outbox: Callable[[], None]

    @property
    def staff_chat_id(self) -> int:
        return self.runtime.settings.telegram.staff_chat_id

    def is_staff(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.runtime.settings.telegram.staff_user_ids


def chat_context(context: ContextTypes.DEFAULT_TYPE) -> ChatContext:
    return context.application.bot_data["privacybot"]


# --------------------------------------------------------------------------- cards


def _local_date(value: date) -> str:
    return value.isoformat()


def card_html(runtime: Runtime, case: Case, draft: Draft, outcome: str = "") -> str:
    """The card text for one draft version; ``outcome`` is the line that records a decision.

    The draft body is cut to fit Telegram's limit after escaping (escaping makes text
    longer, so the cut is repeated until it fits); the full text is in the database.
    """
    evidence = []
    for item in json.loads(case.evidence or "[]")[:5]:
        phrase = preview.shorten(preview.hide_special_categories(item.get("phrase", "")), 60)
        evidence.append({"label": item.get("label", ""), "phrase": phrase})
    body = preview.hide_special_categories(drafting.strip_staff_notes(draft.body))
    view: dict[str, Any] = {
        "ref": case.ref,
        "kind": draft.kind,
        "version": draft.version,
        "labels": queries.labels_of(case),
        "channel": case.channel,
        "language": case.language,
        "status": case.status,
        "sender": preview.mask_address(case.requester),
        "name": preview.mask_name(case.requester_name),
        "deadline": _local_date(case.extended_deadline or case.deadline),
        "extended": case.extended_deadline is not None,
        "extension_reason": preview.shorten(
            preview.hide_special_categories(case.extension_reason or ""), 200
        ),
        "evidence": evidence,
        "notes": drafting.has_staff_notes(draft.body),
        "subject": preview.hide_special_categories(draft.subject),
        "body": body,
        "outcome": outcome,
    }
    template = runtime.templates.get_template("staff_card.html.j2")
    text = template.render(card=view).strip()
    limit = MessageLimit.MAX_TEXT_LENGTH
    for _ in range(8):
        if len(text) <= limit:
            return text
        over = len(text) - limit
        view["body"] = preview.shorten(view["body"], max(len(view["body"]) - over - 40, 0))
        text = template.render(card=view).strip()
    return text[:limit]


def card_keyboard(draft_id: int, version: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, callback_data=f"d:{draft_id}:{version}:{code}")
                for label, code in row
            ]
            for row in CARD_ACTIONS
        ]
    )


def labels_keyboard(draft: Draft, mask: int) -> InlineKeyboardMarkup:
    """Toggle buttons for relabelling; the choice so far lives in the callback data."""
    rows = []
    for bit, label in enumerate(REQUEST_TYPES):
        mark = "☑" if mask & (1 << bit) else "☐"
        rows.append(
            [
                InlineKeyboardButton(
                    f"{mark} {label}",
                    callback_data=f"l:{draft.id}:{draft.version}:{mask ^ (1 << bit)}",
                )
            ]
        )
    rows.append(
        [
            InlineKeyboardButton("Apply", callback_data=f"l:{draft.id}:{draft.version}:{mask}:go"),
            InlineKeyboardButton("Cancel", callback_data=f"l:{draft.id}:{draft.version}:{mask}:x"),
        ]
    )
    return InlineKeyboardMarkup(rows)


def labels_mask(labels: list[str]) -> int:
    return sum(1 << bit for bit, label in enumerate(REQUEST_TYPES) if str(label) in labels)


def mask_labels(mask: int) -> list[str]:
    return [str(label) for bit, label in enumerate(REQUEST_TYPES) if mask & (1 << bit)]


@dataclass(frozen=True)
class CardData:
    case_id: int
    ref: str
    draft_id: int
    version: int
    text: str
    pending: bool
    retain_until: date | None


def load_card(runtime: Runtime, draft_id: int, outcome: str = "") -> CardData | None:
    """What a card for ``draft_id`` shows now, from the database (blocking; use a thread)."""
    with unit_of_work(runtime.sessions) as session:
        draft = session.get(Draft, draft_id)
        if draft is None:
            return None
        case = session.get(Case, draft.case_id)
        if case is None:
            return None
        return CardData(
            case_id=case.id or 0,
            ref=case.ref,
            draft_id=draft.id or 0,
            version=draft.version,
            text=card_html(runtime, case, draft, outcome),
            pending=draft.status == "pending",
            retain_until=case.retain_until,
        )


def remember_post(
    runtime: Runtime, *, chat_id: int, message_id: int, purpose: str, card: CardData
) -> None:
    with unit_of_work(runtime.sessions) as session:
        queries.record_chat_post(
            session, chat_id=chat_id, message_id=message_id, purpose=purpose,
            case_id=card.case_id, draft_id=card.draft_id, draft_version=card.version,
            now=runtime.clock(), retain_until=card.retain_until,
        )


# --------------------------------------------------------------------------- guard


def _audit_refusal(
    runtime: Runtime, *, user_id: int | None, chat_id: int | None, what: str
) -> None:
    with unit_of_work(runtime.sessions) as session:
        append_event(
            session, actor=f"telegram:{user_id}", action="chat_refused",
            detail={"chat": chat_id, "what": what}, at=runtime.clock(),
        )


def _needs_staff(update: Update, ctx: ChatContext) -> str | None:
    """What this update would do that only staff may do, or None for anyone's update."""
    if update.callback_query is not None:
        return "button"
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return None
    text = message.text or ""
    in_staff_chat = chat.id == ctx.staff_chat_id
    if text.startswith("/"):
        command = text.split()[0].split("@")[0].lstrip("/").lower()
        if chat.type == "private" and command in ("start", "help") and not ctx.is_staff(
            update.effective_user.id if update.effective_user else None
        ):
            return None  # a customer's greeting
        return f"command:{command}"
    if in_staff_chat:
        return "staff chat message"
    return None


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: refuse what a non-staff user may not do, and stop."""
    ctx = chat_context(context)
    what = _needs_staff(update, ctx)
    if what is None:
        return
    user = update.effective_user
    if ctx.is_staff(user.id if user else None):
        return
    chat = update.effective_chat
    chat_id = chat.id if chat else None
    user_id = user.id if user else None
    if what == "staff chat message" and not (
        update.effective_message and update.effective_message.reply_to_message
    ):
        raise ApplicationHandlerStop  # ordinary talk in the group is no attempt to act
    log.warning("refused %s from telegram user %s in chat %s", what.split(":")[0], user_id,
                chat_id)
    await asyncio.to_thread(
        _audit_refusal, ctx.runtime, user_id=user_id, chat_id=chat_id, what=what
    )
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(NOT_STAFF, show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(NOT_STAFF)
    except TelegramError as exc:
        log.warning("could not tell telegram user %s: %s", user_id, type(exc).__name__)
    raise ApplicationHandlerStop


# --------------------------------------------------------------------------- buttons


def _who(update: Update) -> tuple[str, str]:
    """The audit actor (an id) and the name the staff chat shows."""
    user = update.effective_user
    assert user is not None
    return f"telegram:{user.id}", user.first_name or str(user.id)


def _now_text(runtime: Runtime) -> str:
    return as_utc(runtime.clock()).astimezone(COPENHAGEN).strftime("%Y-%m-%d %H:%M")


#: How often a card edit is tried when the network to Telegram fails.
EDIT_ATTEMPTS = 4


async def _edit_cards(
    context: ContextTypes.DEFAULT_TYPE,
    draft_id: int,
    outcome: str,
    *,
    keep_buttons: bool = False,
    shown: Message | None = None,
) -> None:
    """Show a decision on every card of the draft; the buttons go unless still useful.

    ``shown`` is the card the staff member acted on: edited even when the sender thread
    has not yet recorded it (a press or reply can arrive that fast).
    """
    runtime = chat_context(context).runtime

    def load() -> tuple[CardData | None, list[tuple[int, int]], Draft | None]:
        card = load_card(runtime, draft_id, outcome)
        with unit_of_work(runtime.sessions) as session:
            rows = queries.chat_cards(session, draft_id=draft_id)
            posts = [(p.chat_id, p.message_id) for p in rows]
            draft = session.get(Draft, draft_id)
        return card, posts, draft

    card, posts, draft = await asyncio.to_thread(load)
    if card is None:
        return
    if shown is not None and (shown.chat.id, shown.message_id) not in posts:
        posts.append((shown.chat.id, shown.message_id))
    markup = card_keyboard(draft.id or 0, draft.version) if keep_buttons and draft else None
    for chat_id, message_id in posts:
        for attempt in range(1, EDIT_ATTEMPTS + 1):
            try:
                await context.bot.edit_message_text(
                    card.text, chat_id=chat_id, message_id=message_id,
                    parse_mode=ParseMode.HTML, reply_markup=markup,
                )
                break
            except RetryAfter as exc:
                await asyncio.sleep(min(float(exc.retry_after), 30.0))
            except NetworkError as exc:
                # A slow or dropped connection: the decision is made, the card must say so.
                if attempt == EDIT_ATTEMPTS:
                    log.warning("card %s of draft %s not edited: %s", message_id, draft_id,
                                type(exc).__name__)
                await asyncio.sleep(0.5 * attempt)
            except TelegramError as exc:
                log.warning("card %s of draft %s not edited: %s", message_id, draft_id,
                            type(exc).__name__)
                break


def parse_callback(data: str) -> tuple[str, int, int, str, int | None]:
    """``d:412:3:ok`` → ("d", 412, 3, "ok", None); ``l:412:3:5:go`` → ("l", 412, 3, "go", 5).

    Raises ValueError for anything else (an old bot's buttons, a forged press).
    """
    parts = data.split(":")
    if parts[0] == "d" and len(parts) == 4:
        return "d", int(parts[1]), int(parts[2]), parts[3], None
    if parts[0] == "l" and len(parts) in (4, 5):
        action = parts[4] if len(parts) == 5 else "toggle"
        return "l", int(parts[1]), int(parts[2]), action, int(parts[3])
    raise ValueError(f"unknown callback data shape {parts[0]!r}")


def _current(runtime: Runtime, draft_id: int, version: int) -> tuple[str | None, dict[str, Any]]:
    """Why a button for (draft, version) is stale, or None; with what the handler needs."""
    with unit_of_work(runtime.sessions) as session:
        draft = session.get(Draft, draft_id)
        if draft is None or draft.version != version:
            return "this draft does not exist.", {}
        case = session.get(Case, draft.case_id)
        assert case is not None
        info = {
            "ref": case.ref, "labels": queries.labels_of(case), "kind": draft.kind,
            "extended": case.extended_deadline, "received_at": as_utc(case.received_at),
            "deadline": case.deadline, "case_id": case.id, "retain_until": case.retain_until,
            "draft": draft,
        }
        if draft.status == "superseded":
            newest = queries.latest_draft(session, case_id=case.id or 0)
            return (f"draft v{version} of {case.ref} was replaced by v"
                    f"{newest.version if newest else '?'}."), info
        if draft.status != "pending":
            return (f"draft v{version} of {case.ref} was already {draft.status} by "
                    f"{draft.decided_by or 'someone'}."), info
        return None, info


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    ctx = chat_context(context)
    runtime = ctx.runtime
    try:
        kind, draft_id, version, action, mask = parse_callback(query.data or "")
    except ValueError:
        await query.answer(STALE.format(reason="it belongs to an older bot."), show_alert=True)
        return
    actor, name = _who(update)
    log.info("button %s/%s on draft %s v%s by telegram user %s", kind, action, draft_id,
             version, actor)
    stale, info = await asyncio.to_thread(_current, runtime, draft_id, version)
    if stale is not None:
        await query.answer(STALE.format(reason=stale), show_alert=True)
        return
    if kind == "l":
        await _relabel_step(update, context, info, action, mask or 0, actor, name)
        return
    if action == "ok":
        try:
            decided = await asyncio.to_thread(
                staff.approve_draft, runtime, draft_id=draft_id, actor=actor
            )
        except (queries.Refused, ValueError) as exc:
            await query.answer(STALE.format(reason=str(exc)), show_alert=True)
            return
        ctx.wake_outbox()
        await query.answer(f"Approved: the letter for {decided.case_ref} is on its way.")
        await _edit_cards(
            context, draft_id, f"✅ Approved by {name} at {_now_text(runtime)}.",
            shown=_card_message(query.message),
        )
    elif action == "ed":
        await query.answer(
            "Reply to this card with the full new text of the letter; it becomes the next "
            "version.", show_alert=True,
        )
    elif action in ("rj", "ex"):
        if action == "ex":
            refusal = _extension_refusal(runtime, info)
            if refusal:
                await query.answer(refusal, show_alert=True)
                return
        await _ask_reason(update, context, info, action)
    elif action == "rl":
        if info["kind"] != "reply":
            await query.answer("Only the reply can be relabelled.", show_alert=True)
            return
        await query.answer("Choose the request types, then Apply.")
        await query.edit_message_reply_markup(
            labels_keyboard(info["draft"], labels_mask(info["labels"]))
        )
    else:
        await query.answer(STALE.format(reason="unknown action."), show_alert=True)


def _extension_refusal(runtime: Runtime, info: dict[str, Any]) -> str | None:
    if info["extended"] is not None:
        return f"{info['ref']} was already extended to {info['extended'].isoformat()}."
    if not case_rules.can_extend(info["received_at"], runtime.clock()):
        return (f"Too late: the first deadline of {info['ref']} has passed; an extension "
                "must be announced within the first month.")
    return None


async def _ask_reason(
    update: Update, context: ContextTypes.DEFAULT_TYPE, info: dict[str, Any], action: str
) -> None:
    """Ask for the reason in a message staff answer by replying; remember what it is for."""
    query = update.callback_query
    assert query is not None and query.message is not None
    runtime = chat_context(context).runtime
    draft: Draft = info["draft"]
    what = "rejecting" if action == "rj" else "extending the deadline of"
    purpose = "reject_prompt" if action == "rj" else "extend_prompt"
    # Only an extension's reason reaches the requester (art. 12(3)); a rejection's stays
    # in the case and its audit trail.
    who_reads = ("it stays in the case's record" if action == "rj"
                 else "the requester reads it in the extension notice")
    await query.answer("Reply to my question with the reason.")
    prompt = await context.bot.send_message(
        query.message.chat.id,
        f"Reason for {what} {html.escape(info['ref'])} (draft v{draft.version})? "
        f"Reply to this message with it; {who_reads}.",
        parse_mode=ParseMode.HTML,
        reply_parameters=ReplyParameters(query.message.message_id),
        reply_markup=ForceReply(input_field_placeholder="Reason"),
    )
    card = CardData(info["case_id"], info["ref"], draft.id or 0, draft.version, "", True,
                    info["retain_until"])
    await asyncio.to_thread(
        remember_post, runtime, chat_id=prompt.chat.id, message_id=prompt.message_id,
        purpose=purpose, card=card,
    )


async def _relabel_step(
    update: Update, context: ContextTypes.DEFAULT_TYPE, info: dict[str, Any], action: str,
    mask: int, actor: str, name: str,
) -> None:
    query = update.callback_query
    assert query is not None
    ctx = chat_context(context)
    draft: Draft = info["draft"]
    if action == "toggle":
        await query.answer()
        await query.edit_message_reply_markup(labels_keyboard(draft, mask))
        return
    if action == "x":
        await query.answer("Relabelling cancelled.")
        await query.edit_message_reply_markup(card_keyboard(draft.id or 0, draft.version))
        return
    try:
        decided = await asyncio.to_thread(
            staff.relabel_draft, ctx.runtime, draft_id=draft.id or 0, actor=actor,
            labels=mask_labels(mask),
        )
    except (queries.Refused, ValueError) as exc:
        await query.answer(str(exc), show_alert=True)
        return
    ctx.wake_outbox()
    await query.answer(f"Relabelled; draft v{decided.version} follows.")
    await _edit_cards(
        context, draft.id or 0,
        f"🏷 Relabelled by {name} to {', '.join(mask_labels(mask))}: replaced by "
        f"v{decided.version}.",
        shown=_card_message(query.message),
    )


async def on_unknown_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(
            STALE.format(reason="it belongs to an older bot."), show_alert=True
        )


# --------------------------------------------------------------------------- replies


async def on_staff_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A staff member replied to a card (an edit) or to a question (a reason)."""
    message = update.effective_message
    if message is None or message.reply_to_message is None or not message.text:
        return
    ctx = chat_context(context)
    runtime = ctx.runtime
    parent = message.reply_to_message

    def lookup() -> tuple[str, int] | None:
        with unit_of_work(runtime.sessions) as session:
            post = queries.chat_post(
                session, chat_id=parent.chat.id, message_id=parent.message_id
            )
            if post is None or post.draft_id is None:
                return None
            return post.purpose, post.draft_id

    found = _card_buttons_draft(parent)
    for _ in range(10):
        if found is not None:
            break
        found = await asyncio.to_thread(lookup)
        if found is None:
            if not (parent.from_user and parent.from_user.id == context.bot.id):
                return  # a reply to a person, not to the bot
            # The bot posted it a moment ago and may not have recorded it yet.
            await asyncio.sleep(0.3)
    if found is None:
        return
    purpose, draft_id = found
    actor, name = _who(update)
    text = message.text
    try:
        if purpose == "card":
            decided = await asyncio.to_thread(
                staff.edit_draft, runtime, draft_id=draft_id, actor=actor, body=text
            )
            ctx.wake_outbox()
            await _edit_cards(
                context, draft_id, f"✏️ Edited by {name}: replaced by v{decided.version}.",
                shown=parent,
            )
            await _reply(message, f"Draft v{decided.version} of {decided.case_ref} follows.")
        elif purpose == "reject_prompt":
            decided = await asyncio.to_thread(
                staff.reject_draft, runtime, draft_id=draft_id, actor=actor, reason=text
            )
            await _edit_cards(
                context, draft_id,
                f"❌ Rejected by {name} at {_now_text(runtime)}: {preview.shorten(text, 300)}",
            )
            await _reply(message, f"Draft v{decided.version} of {decided.case_ref} rejected.")
        elif purpose == "extend_prompt":
            decided = await asyncio.to_thread(
                staff.extend_deadline, runtime, draft_id=draft_id, actor=actor, reason=text
            )
            ctx.wake_outbox()
            await _edit_cards(context, draft_id, "", keep_buttons=True)
            await _reply(
                message,
                f"Deadline of {decided.case_ref} extended to {decided.note} by {name}; the "
                f"extension notice (draft v{decided.version}) follows for approval.",
            )
    except (queries.Refused, queries.NotFound, ValueError) as exc:
        await _reply(message, f"Not done: {exc}")


def _card_message(message: object) -> Message | None:
    """The card a button was pressed under (None for an inaccessible old message)."""
    return message if isinstance(message, Message) else None


def _card_buttons_draft(parent: Message) -> tuple[str, int] | None:
    """A card names its draft in its own buttons; replying to it needs no lookup.

    Whatever the buttons say is only a claim: ``staff.edit_draft`` locks the draft and
    refuses a decided or replaced version all the same.
    """
    markup = parent.reply_markup
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            data = button.callback_data
            if isinstance(data, str) and data.startswith("d:"):
                try:
                    _, draft_id, _, _, _ = parse_callback(data)
                except ValueError:
                    return None
                return "card", draft_id
    return None


async def _reply(message: Message, text: str) -> None:
    try:
        await message.reply_text(html.escape(text), parse_mode=ParseMode.HTML)
    except TelegramError as exc:
        log.warning("staff chat answer not sent: %s", type(exc).__name__)


# --------------------------------------------------------------------------- commands


def _case_line(case: Case) -> str:
    due = case.extended_deadline or case.deadline
    labels = ", ".join(queries.labels_of(case))
    return (f"<b>{html.escape(case.ref)}</b> · {html.escape(labels)} · "
            f"{html.escape(case.status)} · due {due.isoformat()}")


def _today(runtime: Runtime) -> date:
    return as_utc(runtime.clock()).astimezone(COPENHAGEN).date()


def cases_text(runtime: Runtime, *, overdue_only: bool = False) -> str:
    """``/cases`` and ``/overdue``: open cases, soonest deadline first."""
    today = _today(runtime)
    with unit_of_work(runtime.sessions) as session:
        rows = queries.open_cases(session)
        lines = [
            _case_line(case) for case in rows
            if not overdue_only or (case.extended_deadline or case.deadline) < today
        ]
    if not lines:
        return "No overdue cases." if overdue_only else "No open cases."
    title = "Overdue cases" if overdue_only else "Open cases"
    shown = lines[:60]
    more = f"\n… and {len(lines) - len(shown)} more" if len(lines) > len(shown) else ""
    return f"<b>{title}</b> ({len(lines)})\n" + "\n".join(shown) + more


def case_text(runtime: Runtime, ref: str) -> str:
    """``/case REF``: one case, masked like a card, with its drafts."""
    wanted = case_rules.find_reference(ref) or ref.strip().upper()
    with unit_of_work(runtime.sessions) as session:
        try:
            case = queries.get_case(session, ref=wanted)
        except queries.NotFound:
            return f"No case {html.escape(wanted)}."
        drafts = [
            d for d in queries.list_drafts(session, status=None) if d.case_id == case.id
        ]
        due = case.extended_deadline or case.deadline
        lines = [
            _case_line(case),
            f"Channel: {html.escape(case.channel)} · language: {html.escape(case.language)}",
            f"From: {html.escape(preview.mask_address(case.requester))}",
            f"Received: {as_utc(case.received_at).astimezone(COPENHAGEN):%Y-%m-%d} · "
            f"deadline {due.isoformat()}"
            + (" (extended)" if case.extended_deadline else ""),
        ]
        for d in sorted(drafts, key=lambda d: d.version):
            lines.append(
                f"Draft v{d.version} ({html.escape(d.kind)}, id {d.id}): {html.escape(d.status)}"
            )
    return "\n".join(lines)


def stats_text(runtime: Runtime) -> str:
    today = _today(runtime)
    with unit_of_work(runtime.sessions) as session:
        counts = queries.case_status_counts(session)
        open_rows = queries.open_cases(session)
        pending = len(queries.list_drafts(session, status="pending"))
    overdue = sum(1 for c in open_rows if (c.extended_deadline or c.deadline) < today)
    lines = [f"<b>Cases</b>: {sum(counts.values())} in all, {len(open_rows)} open, "
             f"{overdue} overdue, {pending} drafts waiting"]
    lines += [f"{html.escape(status)}: {n}" for status, n in sorted(counts.items())]
    return "\n".join(lines)


def help_text() -> str:
    lines = ["<b>privacybot</b> — each new case arrives here as a card with its draft.",
             "Buttons: Approve sends it; Edit: reply to the card with the new text; Reject "
             "and Extend ask for a reason; Relabel chooses the request types again.",
             "Mail the classifier was unsure of opens no case: /uncertain lists it, with "
             "buttons to open its case or call it ordinary mail.", ""]
    lines += [f"/{name} — {html.escape(text)}" for name, text in STAFF_COMMANDS]
    return "\n".join(lines)


async def _send_text(update: Update, text: str) -> None:
    message = update.effective_message
    if message is None:
        return
    for chunk in split_text(text, MessageLimit.MAX_TEXT_LENGTH):
        await message.reply_text(chunk, parse_mode=ParseMode.HTML)


def split_text(text: str, limit: int) -> list[str]:
    """Text in pieces of at most ``limit`` characters, cut at line breaks where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        pieces.append(text)
    return pieces


async def cmd_cases(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send_text(update, await asyncio.to_thread(cases_text, chat_context(context).runtime))


async def cmd_overdue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    runtime = chat_context(context).runtime
    await _send_text(update, await asyncio.to_thread(cases_text, runtime, overdue_only=True))


async def cmd_case(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not context.args:
        await _send_text(update, "Which case? /case PR-2026-0001")
        return
    runtime = chat_context(context).runtime
    await _send_text(update, await asyncio.to_thread(case_text, runtime, context.args[0]))


async def cmd_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _send_text(update, await asyncio.to_thread(stats_text, chat_context(context).runtime))


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if chat_context(context).is_staff(user.id if user else None):
        await _send_text(update, help_text())
    else:
        await _send_text(update, html.escape(CUSTOMER_HELP))


# --------------------------------------------------------------------------- uncertain

#: How many undecided messages one ``/uncertain`` shows, each with its buttons; the
#: dashboard and ``privacybot messages --uncertain`` list them all.
UNCERTAIN_SHOWN = 10


def uncertain_html(item: uncertain.UncertainItem) -> str:
    """One undecided message as staff see it: no address, no body (``bot.uncertain``)."""
    received = item.received_at.astimezone(COPENHAGEN)
    if item.days_left < 0:
        due = f"<b>overdue</b> since {item.deadline.isoformat()} if it is a request"
    else:
        due = f"due {item.deadline.isoformat()} ({item.days_left} days left) if it is a request"
    seen = "; ".join(f"{html.escape(label)} «{html.escape(phrase)}»"
                     for label, phrase in item.evidence)
    return "\n".join([
        f"❓ <b>Mail {item.message_id}</b> · {html.escape(item.channel)} · received "
        f"{received:%Y-%m-%d} · {due}",
        f"Subject: «{html.escape(item.subject)}»" if item.subject else "No subject.",
        f"The rules saw: {seen}" if seen else "The rules saw no request.",
    ])


def uncertain_keyboard(item: uncertain.UncertainItem) -> InlineKeyboardMarkup:
    """One button per request type, the ones the rules saw first, then ordinary mail."""
    buttons = [
        InlineKeyboardButton(f"Open case: {label}", callback_data=f"u:{item.message_id}:{label}")
        for label in item.likely
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton("Ordinary mail", callback_data=f"u:{item.message_id}:no")])
    return InlineKeyboardMarkup(rows)


async def cmd_uncertain(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None:
        return
    runtime = chat_context(context).runtime
    items = await asyncio.to_thread(uncertain.list_uncertain, runtime)
    if not items:
        await _send_text(update, "No uncertain mail waits for a decision.")
        return
    more = len(items) - UNCERTAIN_SHOWN
    await _send_text(
        update,
        f"<b>Uncertain mail</b> ({len(items)}), oldest first: the classifier kept it as "
        "ordinary mail but was unsure. Open a case if it is a request."
        + (f" The {UNCERTAIN_SHOWN} oldest here; the rest on the dashboard." if more > 0
           else ""),
    )
    for item in items[:UNCERTAIN_SHOWN]:
        await message.reply_text(
            uncertain_html(item), parse_mode=ParseMode.HTML,
            reply_markup=uncertain_keyboard(item),
        )


async def on_uncertain_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``u:<message id>:<type>`` opens the case; ``u:<message id>:no`` is ordinary mail."""
    query = update.callback_query
    assert query is not None
    ctx = chat_context(context)
    parts = (query.data or "").split(":")
    if len(parts) != 3 or not parts[1].isdigit():
        await query.answer(STALE.format(reason="it belongs to an older bot."), show_alert=True)
        return
    message_id, action = int(parts[1]), parts[2]
    actor, name = _who(update)
    log.info("uncertain button %s on message %s by telegram user %s", action, message_id,
             actor)
    try:
        if action == "no":
            decided = await asyncio.to_thread(
                uncertain.mark_ordinary, ctx.runtime, message_id=message_id, actor=actor
            )
        else:
            decided = await asyncio.to_thread(
                uncertain.open_case, ctx.runtime, message_id=message_id, labels=[action],
                actor=actor,
            )
    except uncertain.AlreadyDecided as exc:
        await query.answer(str(exc), show_alert=True)
        # Whoever decided wrote it into the message (or decided elsewhere): only the
        # buttons go, so no one presses them again.
        if isinstance(query.message, Message):
            with contextlib.suppress(TelegramError):
                await query.message.edit_reply_markup(None)
        return
    except (queries.Refused, queries.NotFound, ValueError) as exc:
        await query.answer(str(exc), show_alert=True)
        return
    if decided.case_ref:
        ctx.wake_outbox()
        await query.answer(f"Case {decided.case_ref} opened; its card follows.")
        outcome = (f"📂 Case {decided.case_ref} ({action}) opened by {name} at "
                   f"{_now_text(ctx.runtime)}.")
    else:
        await query.answer("Recorded as ordinary mail.")
        outcome = f"✉️ Ordinary mail, decided by {name} at {_now_text(ctx.runtime)}."
    await _show_uncertain_outcome(query.message, outcome)


async def _show_uncertain_outcome(shown: object, outcome: str) -> None:
    """The listed message records the decision and loses its buttons."""
    if not isinstance(shown, Message) or not shown.text:
        return
    try:
        await shown.edit_text(
            f"{html.escape(shown.text)}\n\n{html.escape(outcome)}", parse_mode=ParseMode.HTML,
            reply_markup=None,
        )
    except TelegramError as exc:
        log.warning("uncertain message %s not edited: %s", shown.message_id,
                    type(exc).__name__)


# --------------------------------------------------------------------------- reminders


def queue_reminders(runtime: Runtime) -> int:
    """Queue staff reminders that are due now; returns how many were queued.

    A case with no answer is reminded of ``reminder_days_before`` days before its deadline
    (only the nearest threshold passed, so a late start does not send 7 and 2 at once) and
    every working day once overdue. Each reminder has a Message-ID made of the case, the
    threshold or the day, so it is queued once however often this runs; it goes through
    the outbox so that an outage delays it instead of losing it.
    """
    settings = runtime.settings.telegram
    if not (settings.enabled and settings.staff_chat_id):
        return 0
    now = as_utc(runtime.clock())
    local = now.astimezone(COPENHAGEN)
    if local.hour < settings.reminder_hour:
        return 0
    today = local.date()
    thresholds = sorted(settings.reminder_days_before)
    queued = 0
    with unit_of_work(runtime.sessions) as session:
        for case in queries.open_cases(session):
            if case.status == "approved":
                continue  # answered as far as staff are concerned; the outbox delivers it
            due = case.extended_deadline or case.deadline
            left = (due - today).days
            if left < 0:
                if not (settings.reminder_overdue_working_days
                        and case_rules.is_working_day(today)):
                    continue
                kind, n = "overdue", int(today.strftime("%Y%m%d"))
                text = (f"⏰ <b>{html.escape(case.ref)}</b> is overdue since "
                        f"{due.isoformat()} ({-left} days) · {html.escape(case.status)} · "
                        f"/case {html.escape(case.ref)}")
            else:
                passed = [t for t in thresholds if left <= t]
                if not passed:
                    continue
                kind, n = f"remind{passed[0]}d", 1 + (1 if case.extended_deadline else 0)
                text = (f"⏰ <b>{html.escape(case.ref)}</b> is due in {left} days "
                        f"({due.isoformat()}) · {html.escape(case.status)} · "
                        f"/case {html.escape(case.ref)}")
            message_id = drafting.message_id(
                kind=kind, ref=case.ref, n=n, domain=runtime.mail_domain
            )
            if queries.outbox_exists(session, message_id=message_id):
                continue
            queries.add_outbox(
                session, kind="reminder", transport="chat", message_id=message_id,
                payload=json.dumps({"chat_id": settings.staff_chat_id, "text": text,
                                    "parse_mode": "HTML"}).encode(),
                recipient=str(settings.staff_chat_id), subject="", case_id=case.id,
                now=now, retain_until=case.retain_until,
            )
            append_event(
                session, actor="privacybot", action="reminder_queued", case_id=case.id,
                case_ref=case.ref, detail={"kind": kind, "deadline": due.isoformat()}, at=now,
            )
            queued += 1
    if queued:
        log.info("%s reminders queued for the staff chat", queued)
    return queued


# --------------------------------------------------------------------------- wiring


def register(application: Application, ctx: ChatContext) -> None:
    """Add the guard, the staff handlers and the context to ``application``."""
    application.bot_data["privacybot"] = ctx
    application.add_handler(TypeHandler(Update, guard), group=-1)
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^[dl]:"))
    application.add_handler(CallbackQueryHandler(on_uncertain_button, pattern=r"^u:"))
    application.add_handler(CallbackQueryHandler(on_unknown_button))
    application.add_handler(CommandHandler("cases", cmd_cases))
    application.add_handler(CommandHandler("case", cmd_case))
    application.add_handler(CommandHandler("overdue", cmd_overdue))
    application.add_handler(CommandHandler("stats", cmd_stats))
    application.add_handler(CommandHandler("uncertain", cmd_uncertain))
    application.add_handler(CommandHandler("help", cmd_help))
    if ctx.staff_chat_id:
        application.add_handler(
            MessageHandler(
                filters.Chat(ctx.staff_chat_id) & filters.REPLY & filters.TEXT
                & ~filters.COMMAND,
                on_staff_reply,
            )
        )

