"""A local Telegram Bot API server for tests: the real python-telegram-bot talks to it.

Telegram cannot be reached from the test machines, and a mock of ``Bot`` would test our
assumptions about Telegram instead of our code. This server speaks the HTTP side of the
methods privacybot uses (``getMe``, ``getUpdates`` long polling, ``sendMessage``,
``editMessageText``, ``editMessageReplyMarkup``, ``answerCallbackQuery``,
``deleteWebhook``, ``setMyCommands``, ...), records every call, and lets a test inject
updates as Telegram would deliver them: messages in private chats and groups, replies to
the bot's messages, and button presses from any user.

It checks what Telegram checks and a bot gets wrong: the token, message length (4096),
HTML parse mode (only Telegram's tags, every ``&`` and ``<`` escaped), answering a
callback query twice, editing without a change, and a second concurrent ``getUpdates``
(409 Conflict). Faults are injected per method (``fail``) or for the whole server
(``down``: connections are closed without an answer, which is what an unreachable
Telegram looks like to httpx).

It runs the stdlib ``ThreadingHTTPServer`` in a thread, so it works beside any event loop
and needs no extra package. Use it as a context manager or call ``start``/``stop``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_TEXT = 4096
#: Tags Telegram accepts in HTML parse mode (Bot API "Formatting options").
HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "code",
        "pre",
        "blockquote",
        "tg-emoji",
    }
)
#: Parameters that arrive JSON-encoded; every other one is a plain string.
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "entities",
        "reply_parameters",
        "commands",
        "link_preview_options",
        "scope",
        "show_alert",
        "disable_notification",
        "cache_time",
        "drop_pending_updates",
        "protect_content",
    }
)
_INT_PARAMS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout", "user_id"})


class TelegramError(Exception):
    """An error answer as the Bot API gives it (``ok: false``)."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Fault:
    method: str
    times: int
    code: int
    description: str
    retry_after: int | None


class _HtmlCheck(HTMLParser):
    """Telegram's HTML rules: known tags, balanced, text unescaped into plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.error = self.error or f'unsupported start tag "{tag}"'
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'unexpected end tag "{tag}"'
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> str:
    """The plain text Telegram shows for an HTML message, or ``TelegramError`` 400."""
    for i, char in enumerate(text):
        if char == "&":
            rest = text[i : i + 12]
            if ";" not in rest or not (rest.startswith(("&lt;", "&gt;", "&amp;", "&quot;", "&#"))):
                raise TelegramError(
                    400, f"Bad Request: can't parse entities: unescaped '&' at byte offset {i}"
                )
    checker = _HtmlCheck()
    checker.feed(text)
    checker.close()
    if checker.error or checker.stack:
        reason = checker.error or (
            f'can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
        )
        raise TelegramError(400, f"Bad Request: can't parse entities: {reason}")
    return "".join(checker.text)


class FakeTelegram:
    """One bot's view of Telegram; see the module docstring."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",
        bot_id: int = 123456,
        bot_username: str = "privacybot_test",
    ) -> None:
        self.token = token
        self.bot = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Privacybot",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.calls: list[Call] = []
        self.conflicts = 0
        self.down = False
        self._lock = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1000)
        self._message_ids: dict[int, Iterator[int]] = {}
        self._query_ids = itertools.count(1)
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._queries: dict[str, dict[str, Any]] = {}
        self.answers: dict[str, dict[str, Any]] = {}
        self._faults: list[_Fault] = []
        self._poll_generation = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                fake._handle(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # request lines carry the token

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-telegram", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            with self._lock:
                self._lock.notify_all()
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the server first"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # --- what a test injects ------------------------------------------------------------

    @staticmethod
    def user(
        user_id: int,
        first_name: str = "User",
        last_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        found: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name:
            found["last_name"] = last_name
        if username:
            found["username"] = username
        return found

    def group(self, chat_id: int, title: str = "Staff") -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup", "title": title}
        self._chats[chat_id] = chat
        return chat

    def send_message(
        self,
        user: dict[str, Any],
        text: str,
        *,
        chat_id: int | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A user writes: in a private chat with the bot, or in a group (``chat_id``)."""
        if chat_id is None:
            chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
            self._chats.setdefault(user["id"], chat)
        else:
            chat = self._chats.get(chat_id) or self.group(chat_id)
        with self._lock:
            message: dict[str, Any] = {
                "message_id": self._next_message_id(chat["id"]),
                "date": int(time.time()),
                "chat": chat,
                "from": user,
                "text": text,
            }
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
            if reply_to is not None:
                message["reply_to_message"] = reply_to
            self._messages[(chat["id"], message["message_id"])] = message
            self._push({"message": message})
        return message

    def press(self, message: dict[str, Any], user: dict[str, Any], data: str) -> str:
        """A user presses an inline button with ``data`` under ``message``; returns the
        callback query id, which ``answers`` is keyed by."""
        with self._lock:
            query_id = str(next(self._query_ids))
            current = self._messages.get((message["chat"]["id"], message["message_id"]), message)
            query = {
                "id": query_id,
                "from": user,
                "message": current,
                "chat_instance": f"ci{message['chat']['id']}",
                "data": data,
            }
            self._queries[query_id] = query
            self._push({"callback_query": query})
        return query_id

    def press_many(self, presses: list[tuple[dict[str, Any], dict[str, Any], str]]) -> list[str]:
        """Several presses delivered in the same ``getUpdates`` answer (at the same moment)."""
        with self._lock:
            ids = []
            for message, user, data in presses:
                query_id = str(next(self._query_ids))
                query = {
                    "id": query_id,
                    "from": user,
                    "message": message,
                    "chat_instance": f"ci{message['chat']['id']}",
                    "data": data,
                }
                self._queries[query_id] = query
                self._updates.append({"update_id": next(self._update_ids), "callback_query": query})
                ids.append(query_id)
            self._lock.notify_all()
        return ids

    def fail(
        self,
        method: str,
        *,
        times: int = 1,
        code: int = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error."""
        with self._lock:
            self._faults.append(_Fault(method, times, code, description, retry_after))

    # --- what a test reads ----------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """What the bot has posted in a chat, as it stands now (edits applied), in order."""
        with self._lock:
            return [
                dict(m)
                for (cid, _), m in sorted(self._messages.items())
                if cid == chat_id and m.get("from", {}).get("id") == self.bot["id"]
            ]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        with self._lock:
            return dict(self._messages[(chat_id, message_id)])

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
        """Block until ``predicate()`` is truthy (checked on every call the bot makes)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                value = predicate()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("fake Telegram: condition not reached in time")
                self._lock.wait(min(left, 0.2))

    @staticmethod
    def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
        """(label, callback_data) of every inline button under a message."""
        markup = message.get("reply_markup") or {}
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    # --- the HTTP side ----------------------------------------------------------------------

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def _push(self, update: dict[str, Any]) -> None:
        update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._lock.notify_all()

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if self.down:
            request.close_connection = True
            return  # no answer at all: httpx sees the connection drop
        parts = request.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != f"bot{self.token}":
            self._reply(
                request,
                401 if parts[0].startswith("bot") else 404,
                {"ok": False, "error_code": 401, "description": "Unauthorized"},
            )
            return
        method = parts[1]
        params = self._params(request.headers.get("Content-Type", ""), body)
        with self._lock:
            self.calls.append(Call(method, params))
            self._lock.notify_all()
        try:
            self._fault(method)
            result = self._dispatch(method, params)
        except TelegramError as exc:
            answer: dict[str, Any] = {
                "ok": False,
                "error_code": exc.code,
                "description": exc.description,
            }
            if exc.retry_after is not None:
                answer["parameters"] = {"retry_after": exc.retry_after}
            self._reply(request, exc.code, answer)
            return
        self._reply(request, 200, {"ok": True, "result": result})

    @staticmethod
    def _params(content_type: str, body: bytes) -> dict[str, Any]:
        if content_type.startswith("application/json"):
            return json.loads(body or b"{}")
        raw = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if key in _JSON_PARAMS:
                params[key] = json.loads(value)
            elif key in _INT_PARAMS and value.lstrip("-").isdigit():
                params[key] = int(value)
            else:
                params[key] = value
        return params

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, answer: dict[str, Any]) -> None:
        data = json.dumps(answer).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a cancelled long poll)

    def _fault(self, method: str) -> None:
        with self._lock:
            for fault in self._faults:
                if fault.method == method and fault.times > 0:
                    fault.times -= 1
                    raise TelegramError(fault.code, fault.description, fault.retry_after)

    def _dispatch(self, method: str, params: dict[str, Any]) -> Any:
        simple = {
            "deleteWebhook",
            "setMyCommands",
            "deleteMyCommands",
            "close",
            "logOut",
            "setChatMenuButton",
            "sendChatAction",
        }
        if method in simple:
            return True
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise TelegramError(404, "Not Found")
        return handler(params)

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return self.bot

    def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:  # noqa: N802
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        with self._lock:
            # As Telegram does: a new getUpdates terminates the one still waiting, which
            # gets 409. A client that cancelled its long poll never sees that answer; two
            # live pollers keep terminating each other, which ``conflicts`` counts.
            self._poll_generation += 1
            mine = self._poll_generation
            self._lock.notify_all()
            if offset:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            deadline = time.monotonic() + timeout
            while not self._updates and self._server is not None:
                if self._poll_generation != mine:
                    self.conflicts += 1
                    raise TelegramError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure "
                        "that only one bot instance is running",
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(min(left, 0.5))
            return list(self._updates[:limit])

    def _markup(self, params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup and "inline_keyboard" in markup:
            for row in markup["inline_keyboard"]:
                for button in row:
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(data.encode()) <= 64:
                        raise TelegramError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _text(self, params: dict[str, Any]) -> tuple[str, str]:
        raw = params.get("text", "")
        shown = parse_html(raw) if params.get("parse_mode") == "HTML" else raw
        if not shown.strip():
            raise TelegramError(400, "Bad Request: message text is empty")
        if len(shown) > MAX_TEXT:
            raise TelegramError(400, "Bad Request: message is too long")
        return raw, shown

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        try:
            return self._chats[int(chat_id)]
        except (KeyError, ValueError):
            raise TelegramError(400, "Bad Request: chat not found") from None

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        raw, shown = self._text(params)
        markup = self._markup(params)
        with self._lock:
            chat = self._chat(params.get("chat_id"))
            message: dict[str, Any] = {
                "message_id": self._next_message_id(chat["id"]),
                "date": int(time.time()),
                "chat": chat,
                "from": self.bot,
                "text": shown,
                "html": raw if params.get("parse_mode") == "HTML" else None,
            }
            if markup is not None and "inline_keyboard" in markup:
                message["reply_markup"] = markup
            elif markup is not None:
                # Telegram shows a ForceReply or reply keyboard but never returns it in a
                # Message (whose reply_markup is inline only); kept aside for tests.
                message["force_reply"] = bool(markup.get("force_reply"))
            reply = params.get("reply_parameters") or {}
            if reply.get("message_id"):
                parent = self._messages.get((chat["id"], int(reply["message_id"])))
                if parent is not None:
                    message["reply_to_message"] = {
                        k: v for k, v in parent.items() if k != "reply_to_message"
                    }
            self._messages[(chat["id"], message["message_id"])] = message
            return message

    def _editable(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        message = self._messages.get(key)
        if message is None or message.get("from", {}).get("id") != self.bot["id"]:
            raise TelegramError(400, "Bad Request: message to edit not found")
        return message

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        raw, shown = self._text(params)
        markup = self._markup(params)
        with self._lock:
            message = self._editable(params)
            html = raw if params.get("parse_mode") == "HTML" else None
            if (
                message["text"] == shown
                and message.get("html") == html
                and (message.get("reply_markup") == markup)
            ):
                raise TelegramError(
                    400,
                    "Bad Request: message is not modified: specified new message content "
                    "and reply markup are exactly the same as a current content and reply "
                    "markup of the message",
                )
            message.update({"text": shown, "html": html, "edit_date": int(time.time())})
            if markup is None:
                message.pop("reply_markup", None)
            else:
                message["reply_markup"] = markup
            return dict(message)

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        markup = self._markup(params)
        with self._lock:
            message = self._editable(params)
            if message.get("reply_markup") == markup:
                raise TelegramError(400, "Bad Request: message is not modified")
            if markup is None:
                message.pop("reply_markup", None)
            else:
                message["reply_markup"] = markup
            return dict(message)

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:  # noqa: N802
        query_id = str(params.get("callback_query_id"))
        with self._lock:
            if query_id not in self._queries or query_id in self.answers:
                raise TelegramError(
                    400,
                    "Bad Request: query is too old and response timeout expired or "
                    "query ID is invalid",
                )
            self.answers[query_id] = params
            self._lock.notify_all()
        return True
