"""Kakao i Open Builder skill JSON v2.0, as small typed dataclasses: the payload a skill
receives and the response it answers. Field names on the wire are Kakao's (camelCase).

The payload (SkillPayload): `intent` (the block matched), `userRequest` (`user.id` — the
botUserKey, the person's key on Kakao — `utterance`, `block`, `lang`, `timezone`), `bot`,
and `action` (`params`, `detailParams`, and `clientExtra`: the `extra` of the button or quick
reply that was tapped). Parsed leniently: unknown fields are ignored, missing optional ones
take defaults, and `clientExtra` may come as an object, a JSON string, or null.

The response (SkillResponse): `{"version": "2.0", "template": {"outputs": [...],
"quickReplies": [...]}}`; each output is one component (`simpleText`, `simpleImage`,
`textCard`, `basicCard`, `listCard`, `carousel`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

VERSION = "2.0"


class MalformedRequest(ValueError):
    """The body is not a skill payload (no user to answer)."""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _client_extra(value: Any) -> dict[str, Any]:
    """Kakao's older payloads send the extra as a JSON string ("null" when empty)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return _dict(value)


@dataclass(frozen=True)
class SkillRequest:
    user_id: str  # userRequest.user.id: the botUserKey
    utterance: str = ""
    user_type: str = ""
    block_id: str | None = None  # the block that called the skill (for quick replies back)
    client_extra: dict[str, Any] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    bot_id: str | None = None
    intent_name: str = ""
    callback_url: str | None = None

    @property
    def token(self) -> str | None:
        """The single-use token of the button tapped, if this call is a tap."""
        token = self.client_extra.get("token")
        if isinstance(token, str) and 0 < len(token) <= 64:
            return token
        return None

    @classmethod
    def parse(cls, payload: Any) -> SkillRequest:
        if not isinstance(payload, dict):
            raise MalformedRequest("the payload is not a JSON object")
        user_request = _dict(payload.get("userRequest"))
        user = _dict(user_request.get("user"))
        user_id = _text(user.get("id")).strip()
        if not user_id or len(user_id) > 200:
            raise MalformedRequest("userRequest.user.id is missing")
        action = _dict(payload.get("action"))
        intent = _dict(payload.get("intent"))
        block = _dict(user_request.get("block"))
        params = {str(key): _text(value) for key, value in _dict(action.get("params")).items()}
        return cls(
            user_id=user_id,
            utterance=_text(user_request.get("utterance")),
            user_type=_text(user.get("type")),
            block_id=_text(block.get("id")) or _text(intent.get("id")) or None,
            client_extra=_client_extra(action.get("clientExtra")),
            params=params,
            bot_id=_text(_dict(payload.get("bot")).get("id")) or None,
            intent_name=_text(intent.get("name")),
            callback_url=_text(user_request.get("callbackUrl")) or None,
        )


# ----- the response ---------------------------------------------------------------------


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


@dataclass
class Button:
    """A button on a card: `block` (calls the skill's block with `extra`), `message` (the
    person says `messageText`) or `webLink`."""

    label: str
    action: str
    message_text: str | None = None
    block_id: str | None = None
    web_link_url: str | None = None
    extra: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return _without_none({"label": self.label, "action": self.action,
                              "messageText": self.message_text, "blockId": self.block_id,
                              "webLinkUrl": self.web_link_url, "extra": self.extra})


@dataclass
class QuickReply:
    label: str
    action: str  # "block" or "message"
    message_text: str
    block_id: str | None = None
    extra: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return _without_none({"label": self.label, "action": self.action,
                              "messageText": self.message_text, "blockId": self.block_id,
                              "extra": self.extra})


@dataclass
class SimpleText:
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"simpleText": {"text": self.text}}


@dataclass
class SimpleImage:
    image_url: str
    alt_text: str

    def to_dict(self) -> dict[str, Any]:
        return {"simpleImage": {"imageUrl": self.image_url, "altText": self.alt_text}}


@dataclass
class TextCard:
    title: str | None = None
    description: str | None = None
    buttons: list[Button] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        body = _without_none({"title": self.title, "description": self.description})
        if self.buttons:
            body["buttons"] = [button.to_dict() for button in self.buttons]
        return body

    def to_dict(self) -> dict[str, Any]:
        return {"textCard": self.body()}


@dataclass
class BasicCard:
    thumbnail_url: str
    title: str | None = None
    description: str | None = None
    buttons: list[Button] = field(default_factory=list)

    def body(self) -> dict[str, Any]:
        body = _without_none({"title": self.title, "description": self.description})
        body["thumbnail"] = {"imageUrl": self.thumbnail_url}
        if self.buttons:
            body["buttons"] = [button.to_dict() for button in self.buttons]
        return body

    def to_dict(self) -> dict[str, Any]:
        return {"basicCard": self.body()}


@dataclass
class ListItem:
    """One line of a listCard; tapping it calls the block with `extra` (action "block")."""

    title: str
    description: str | None = None
    action: str | None = None
    block_id: str | None = None
    message_text: str | None = None
    extra: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return _without_none({"title": self.title, "description": self.description,
                              "action": self.action, "blockId": self.block_id,
                              "messageText": self.message_text, "extra": self.extra})


@dataclass
class ListCard:
    header: str
    items: list[ListItem]
    buttons: list[Button] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"header": {"title": self.header},
                                "items": [item.to_dict() for item in self.items]}
        if self.buttons:
            body["buttons"] = [button.to_dict() for button in self.buttons]
        return {"listCard": body}


@dataclass
class Carousel:
    type: str  # "textCard" or "basicCard"
    items: list[TextCard | BasicCard]

    def to_dict(self) -> dict[str, Any]:
        return {"carousel": {"type": self.type, "items": [item.body() for item in self.items]}}


Output = SimpleText | SimpleImage | TextCard | BasicCard | ListCard | Carousel


@dataclass
class SkillResponse:
    outputs: list[Output]
    quick_replies: list[QuickReply] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        template: dict[str, Any] = {"outputs": [output.to_dict() for output in self.outputs]}
        if self.quick_replies:
            template["quickReplies"] = [reply.to_dict() for reply in self.quick_replies]
        return {"version": VERSION, "template": template}
