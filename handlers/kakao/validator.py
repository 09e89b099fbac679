"""A skill response checked against Kakao's format and limits before it leaves (and in every
Kakao test): required fields, at most 3 outputs and 10 quick replies, labels ≤ 14 characters,
simpleText ≤ 1,000, card titles ≤ 50 and descriptions ≤ 230, buttons per card, items per
list and carousel. `strict` also refuses HTML left in a text (Kakao shows plain text)."""

from __future__ import annotations

import json
import re
from typing import Any

from handlers.kakao import limits as L
from handlers.kakao.models import VERSION

_HTML = re.compile(r"</?(?:b|i|a|u|s|code|pre)(?:\s[^>]*)?>|&(?:amp|lt|gt|quot|#\d+);")
_QUICK_ACTIONS = ("message", "block")
_BUTTON_ACTIONS = ("webLink", "message", "block", "phone", "share", "operator")
_CARD_TYPES = ("textCard", "basicCard")


class InvalidResponse(ValueError):
    """The response would be refused or shown wrong by Kakao; the message says where."""


def validate(response: Any, *, strict: bool = False) -> None:
    """Raise InvalidResponse on the first problem found."""
    _Check(strict).response(response)


class _Check:
    def __init__(self, strict: bool) -> None:
        self.strict = strict

    def fail(self, where: str, problem: str) -> None:
        raise InvalidResponse(f"{where}: {problem}")

    def response(self, response: Any) -> None:
        if not isinstance(response, dict):
            self.fail("response", "not a JSON object")
        try:
            json.dumps(response, ensure_ascii=False)
        except (TypeError, ValueError) as error:
            self.fail("response", f"not serialisable as JSON ({error})")
        if response.get("version") != VERSION:
            self.fail("version", f"must be {VERSION!r}, got {response.get('version')!r}")
        template = response.get("template")
        if not isinstance(template, dict):
            self.fail("template", "missing")
        outputs = template.get("outputs")
        if not isinstance(outputs, list) or not 1 <= len(outputs) <= L.OUTPUTS_MAX:
            self.fail("template.outputs", f"1–{L.OUTPUTS_MAX} components required, got "
                      f"{len(outputs) if isinstance(outputs, list) else outputs!r}")
        for index, output in enumerate(outputs):
            self.output(f"outputs[{index}]", output)
        replies = template.get("quickReplies", [])
        if not isinstance(replies, list) or len(replies) > L.QUICK_REPLIES_MAX:
            self.fail("template.quickReplies", f"at most {L.QUICK_REPLIES_MAX}")
        for index, reply in enumerate(replies):
            self.quick_reply(f"quickReplies[{index}]", reply)

    def output(self, where: str, output: Any) -> None:
        if not isinstance(output, dict) or len(output) != 1:
            self.fail(where, "must hold exactly one component")
        (kind, body), = output.items()
        if not isinstance(body, dict):
            self.fail(f"{where}.{kind}", "not an object")
        where = f"{where}.{kind}"
        if kind == "simpleText":
            self.text(f"{where}.text", body.get("text"), L.SIMPLE_TEXT_MAX, required=True)
        elif kind == "simpleImage":
            self.url(f"{where}.imageUrl", body.get("imageUrl"))
            self.text(f"{where}.altText", body.get("altText"), L.ALT_TEXT_MAX, required=True)
        elif kind == "textCard":
            self.card(where, body, buttons_max=L.CARD_BUTTONS_MAX, thumbnail=False)
        elif kind == "basicCard":
            self.card(where, body, buttons_max=L.CARD_BUTTONS_MAX, thumbnail=True)
        elif kind == "listCard":
            self.list_card(where, body)
        elif kind == "carousel":
            self.carousel(where, body)
        else:
            self.fail(where, "unknown component")

    def card(self, where: str, body: dict, *, buttons_max: int, thumbnail: bool) -> None:
        title, description = body.get("title"), body.get("description")
        if not thumbnail and not (title or description):
            self.fail(where, "a textCard needs a title or a description")
        self.text(f"{where}.title", title, L.CARD_TITLE_MAX)
        self.text(f"{where}.description", description, L.CARD_DESCRIPTION_MAX)
        if thumbnail:
            self.url(f"{where}.thumbnail.imageUrl", (body.get("thumbnail") or {}).get("imageUrl"))
        self.buttons(where, body.get("buttons", []), buttons_max)

    def list_card(self, where: str, body: dict) -> None:
        header = body.get("header")
        if not isinstance(header, dict):
            self.fail(f"{where}.header", "missing")
        self.text(f"{where}.header.title", header.get("title"), L.CARD_TITLE_MAX, required=True)
        items = body.get("items")
        if not isinstance(items, list) or not 1 <= len(items) <= L.LIST_ITEMS_MAX:
            self.fail(f"{where}.items", f"1–{L.LIST_ITEMS_MAX} items required")
        for index, item in enumerate(items):
            here = f"{where}.items[{index}]"
            if not isinstance(item, dict):
                self.fail(here, "not an object")
            self.text(f"{here}.title", item.get("title"), L.CARD_TITLE_MAX, required=True)
            self.text(f"{here}.description", item.get("description"), L.CARD_DESCRIPTION_MAX)
            if "action" in item:
                self.action(here, item, ("block", "message"))
        self.buttons(where, body.get("buttons", []), L.LIST_BUTTONS_MAX)

    def carousel(self, where: str, body: dict) -> None:
        kind = body.get("type")
        if kind not in _CARD_TYPES:
            self.fail(f"{where}.type", f"one of {_CARD_TYPES} expected, got {kind!r}")
        items = body.get("items")
        if not isinstance(items, list) or not 1 <= len(items) <= L.CAROUSEL_ITEMS_MAX:
            self.fail(f"{where}.items", f"1–{L.CAROUSEL_ITEMS_MAX} cards required")
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                self.fail(f"{where}.items[{index}]", "not an object")
            self.card(f"{where}.items[{index}]", item, buttons_max=L.CAROUSEL_BUTTONS_MAX,
                      thumbnail=kind == "basicCard")

    def buttons(self, where: str, buttons: Any, most: int) -> None:
        if not isinstance(buttons, list) or len(buttons) > most:
            self.fail(f"{where}.buttons", f"at most {most}")
        for index, button in enumerate(buttons):
            here = f"{where}.buttons[{index}]"
            if not isinstance(button, dict):
                self.fail(here, "not an object")
            self.label(here, button.get("label"))
            self.action(here, button, _BUTTON_ACTIONS)

    def quick_reply(self, where: str, reply: Any) -> None:
        if not isinstance(reply, dict):
            self.fail(where, "not an object")
        self.label(where, reply.get("label"))
        self.action(where, reply, _QUICK_ACTIONS)
        self.text(f"{where}.messageText", reply.get("messageText"), L.SIMPLE_TEXT_MAX,
                  required=True)

    def action(self, where: str, body: dict, allowed: tuple[str, ...]) -> None:
        action = body.get("action")
        if action not in allowed:
            self.fail(f"{where}.action", f"one of {allowed} expected, got {action!r}")
        if action == "block" and not (isinstance(body.get("blockId"), str) and body["blockId"]):
            self.fail(f"{where}.blockId", "required for action 'block'")
        if action == "message" and not body.get("messageText"):
            self.fail(f"{where}.messageText", "required for action 'message'")
        if action == "webLink":
            self.url(f"{where}.webLinkUrl", body.get("webLinkUrl"))
        extra = body.get("extra")
        if extra is not None:
            if not isinstance(extra, dict):
                self.fail(f"{where}.extra", "must be an object")
            token = extra.get("token")
            if token is not None and not (isinstance(token, str)
                                          and 0 < len(token) <= L.EXTRA_TOKEN_MAX):
                self.fail(f"{where}.extra.token", "must be a short string")

    def label(self, where: str, label: Any) -> None:
        self.text(f"{where}.label", label, L.LABEL_MAX, required=True)

    def text(self, where: str, value: Any, most: int, *, required: bool = False) -> None:
        if value is None and not required:
            return
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(where, "a non-empty string is required")
        if len(value) > most:
            self.fail(where, f"{len(value)} characters, at most {most}")
        if self.strict and _HTML.search(value):
            self.fail(where, f"HTML left in plain text: {value[:80]!r}")

    def url(self, where: str, value: Any) -> None:
        if not (isinstance(value, str) and value.startswith(("https://", "http://"))):
            self.fail(where, f"an http(s) URL is required, got {value!r}")
