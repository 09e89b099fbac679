"""A Bot API stand-in that answers in-process: records every call, returns well-formed results.

Used by the local console and by the tests. Like Telegram, it answers 400 to a call that breaks
the Bot API's limits (bot/telegram_limits.py); such a call is kept in `rejected`, not `calls`."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.telegram_limits import refusal

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "품앗이 봇",
    "username": "pumasi_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)  # uploads: file name → content

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback data) of every inline button, row by row."""
        markup = self.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if not markup or "inline_keyboard" not in markup:
            return []
        return [
            (b["text"], b.get("callback_data", "")) for row in markup["inline_keyboard"]
            for b in row
        ]


@dataclass
class Rejection:
    call: ApiCall
    description: str  # Telegram's words, e.g. "Bad Request: message is too long"


class RejectionLog:
    """The calls a stand-in for Telegram refused, and how many of them a test said it expected
    (the test suite fails a test that leaves any other)."""

    def __init__(self) -> None:
        self.rejected: list[Rejection] = []
        self._acknowledged = 0

    def reject(self, method: str, params: dict[str, Any]) -> Rejection | None:
        """Telegram's refusal of this call, logged; None when Telegram would take it."""
        description = refusal(method, params)
        if description is None:
            return None
        rejection = Rejection(ApiCall(method, params), description)
        self.rejected.append(rejection)
        return rejection

    def acknowledge_rejections(self) -> list[Rejection]:
        """The rejections since the last call, which a test thereby says it expected."""
        new = self.rejected[self._acknowledged:]
        self._acknowledged = len(self.rejected)
        return new

    def unacknowledged_rejections(self) -> list[Rejection]:
        return self.rejected[self._acknowledged:]


def refused_body(rejection: Rejection) -> bytes:
    return json.dumps({"ok": False, "error_code": 400,
                       "description": rejection.description}).encode()


class FakeBotApi(BaseRequest, RejectionLog):
    """Answers every Bot API method the bot uses; `fail` makes chosen calls return an error."""

    def __init__(
        self,
        on_call: Callable[[ApiCall], None] | None = None,
        *,
        enforce_limits: bool = True,
        on_reject: Callable[[Rejection], None] | None = None,
    ) -> None:
        RejectionLog.__init__(self)
        self.calls: list[ApiCall] = []
        self._message_ids = itertools.count(100)
        self._on_call = on_call
        self._on_reject = on_reject
        self._enforce_limits = enforce_limits
        self._failures: dict[str, Callable[[ApiCall], tuple[int, dict] | None]] = {}

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    def fail(self, method: str, rule: Callable[[ApiCall], tuple[int, dict] | None]) -> None:
        """`rule(call)` returns (status, error body) to fail that call, or None to let it pass."""
        self._failures[method] = rule

    def sent_to(self, chat_id: int) -> list[ApiCall]:
        return [call for call in self.calls if call.chat_id == chat_id]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files = {}
        if request_data is not None and request_data.contains_files:
            # A file handle (a large document sent from disk) is read, as the HTTP client would.
            files = {value[0]: value[1] if isinstance(value[1], bytes) else value[1].read()
                     for value in request_data.multipart_data.values()}
        call = ApiCall(name, params, files)
        rejection = self.reject(name, params) if self._enforce_limits else None
        if rejection is not None:
            if self._on_reject is not None:
                self._on_reject(rejection)
            return 400, refused_body(rejection)
        rule = self._failures.get(name)
        failure = rule(call) if rule else None
        if failure is not None:
            status, body = failure
            return status, json.dumps(body).encode()
        self.calls.append(call)
        if self._on_call is not None:
            self._on_call(call)
        return 200, json.dumps({"ok": True, "result": self._result(call)}).encode()

    def _result(self, call: ApiCall) -> Any:
        if call.method == "getMe":
            return BOT_USER
        if call.method == "getUpdates":
            return []
        if call.method in ("sendMessage", "sendPhoto", "sendDocument"):
            return self._message(call, next(self._message_ids))
        if call.method.startswith("edit"):
            return self._message(call, int(call.params.get("message_id") or 1))
        return True

    def _message(self, call: ApiCall, message_id: int) -> dict[str, Any]:
        chat_id = call.chat_id or 0
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
        }
        if call.method == "sendPhoto":
            message["photo"] = [{"file_id": str(call.params.get("photo")),
                                 "file_unique_id": "p", "width": 1, "height": 1}]
            message["caption"] = call.text
        else:
            message["text"] = call.text
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message
