"""Building Telegram updates as a user's client would send them (console and tests)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Update


@dataclass(frozen=True)
class FakeUser:
    id: int
    first_name: str
    username: str | None = None
    language_code: str = "ko"

    def as_dict(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name,
                                "language_code": self.language_code}
        if self.username:
            user["username"] = self.username
        return user


class UpdateFactory:
    def __init__(self, bot: Bot, start_update_id: int | None = None,
                 first_message_id: int = 1) -> None:
        """`first_message_id` also numbers button presses: a run on a database that an
        earlier run used (a bench's) starts it past that run's, or its requests' keys
        (made of these ids) would be taken."""
        self._bot = bot
        # Update ids only grow, even across restarts of the console on the same database.
        start = start_update_id if start_update_id is not None else time.time_ns() // 1000
        self._update_ids = itertools.count(start)
        self._message_ids = itertools.count(first_message_id)
        self._callback_ids = itertools.count(first_message_id)

    def message_dict(self, user: FakeUser, text: str, *, chat_id: int | None = None,
                     photo_file_id: str | None = None,
                     edits_message_id: int | None = None) -> dict[str, Any]:
        """A new message; with `edits_message_id`, that earlier message as the user edited
        it (Telegram sends the whole message again as `edited_message`)."""
        chat = {"id": chat_id or user.id, "type": "private" if not chat_id or chat_id > 0
                else "group", "first_name": user.first_name}
        message: dict[str, Any] = {
            "message_id": edits_message_id or next(self._message_ids),
            "date": int(time.time()), "chat": chat, "from": user.as_dict(),
        }
        if photo_file_id is not None:
            message["photo"] = [{"file_id": photo_file_id, "file_unique_id": photo_file_id,
                                 "width": 640, "height": 480}]
            if text:
                message["caption"] = text
        else:
            message["text"] = text
            if text.startswith("/"):
                command_length = len(text.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0,
                                        "length": command_length}]
        if edits_message_id is not None:
            message["edit_date"] = int(time.time())
            return {"update_id": next(self._update_ids), "edited_message": message}
        return {"update_id": next(self._update_ids), "message": message}

    def message(self, user: FakeUser, text: str, **kwargs: Any) -> Update:
        return Update.de_json(self.message_dict(user, text, **kwargs), self._bot)

    def edited_message(self, user: FakeUser, message_id: int, text: str,
                       **kwargs: Any) -> Update:
        return Update.de_json(
            self.message_dict(user, text, edits_message_id=message_id, **kwargs), self._bot)

    def callback_dict(self, user: FakeUser, data: str, message_id: int = 1,
                      chat_id: int | None = None) -> dict[str, Any]:
        message = {
            "message_id": message_id, "date": int(time.time()),
            "chat": {"id": chat_id or user.id, "type": "private"},
            "from": {"id": self._bot.id, "is_bot": True, "first_name": "bot"}, "text": "…",
        }
        return {
            "update_id": next(self._update_ids),
            "callback_query": {"id": str(next(self._callback_ids)), "from": user.as_dict(),
                               "chat_instance": str(user.id), "data": data,
                               "message": message},
        }

    def callback(self, user: FakeUser, data: str, **kwargs: Any) -> Update:
        return Update.de_json(self.callback_dict(user, data, **kwargs), self._bot)
