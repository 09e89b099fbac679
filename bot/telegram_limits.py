"""What Telegram refuses: the Bot API's documented limits, checked the way the server checks them.

The fake Bot API asks `refusal(method, params)` before it records a call, so a test sees a
message Telegram would answer with 400. The numbers are written here on purpose rather than
imported from the bot: this is the oracle the bot's own cutting and paging is tested against.

HTML is parsed like Telegram's parser (tdlib's `parse_html`): only the supported tags, properly
nested and closed; `&lt; &gt; &amp; &quot;` and numeric references are decoded. One deliberate
difference: Telegram shows any other `&name;` literally, here it is refused, because in this
bot it can only come from user text that was not escaped. Lengths are counted, as Telegram
counts them, on the text after entity parsing, in UTF-16 code units.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

TEXT_MAX = 4096
CAPTION_MAX = 1024
CALLBACK_DATA_MAX = 64  # bytes of UTF-8
INLINE_BUTTONS_MAX = 100
CALLBACK_ANSWER_MAX = 200

_TAGS = frozenset({
    "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
    "tg-emoji", "code", "pre", "blockquote",
})
_NAMED = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SPACE = frozenset(b" \t\n\r\f\v")
_TEXT_METHODS = frozenset({"sendMessage", "editMessageText"})
_CAPTION_METHODS = frozenset({
    "sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendAnimation", "sendVoice",
    "editMessageCaption",
})


class HtmlError(ValueError):
    """The text is not HTML Telegram can parse; the message is Telegram's own wording."""


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def parse_html(text: str) -> str:
    """The text as Telegram shows it, or HtmlError saying why Telegram would refuse it."""
    return _HtmlParser(text.encode("utf-8")).parse()


def refusal(method: str, params: Mapping[str, Any]) -> str | None:
    """Telegram's 400 description for this call, or None when Telegram would accept it."""
    try:
        for value in params.values():
            if isinstance(value, str):
                value.encode("utf-8")
    except UnicodeEncodeError:
        return "Bad Request: strings must be encoded in UTF-8"
    if method in _TEXT_METHODS:
        problem = _text_refusal(method, params)
    elif method in _CAPTION_METHODS:
        problem = _caption_refusal(params)
    elif method == "answerCallbackQuery":
        text = str(params.get("text") or "")
        problem = ("Bad Request: MESSAGE_TOO_LONG"
                   if utf16_length(text) > CALLBACK_ANSWER_MAX else None)
    else:
        problem = None
    return problem or _markup_refusal(params.get("reply_markup"))


def _visible(text: str, params: Mapping[str, Any]) -> str:
    if str(params.get("parse_mode") or "").lower() == "html":
        return parse_html(text)
    return text


def _text_refusal(method: str, params: Mapping[str, Any]) -> str | None:
    try:
        visible = _visible(str(params.get("text") or ""), params)
    except HtmlError as error:
        return f"Bad Request: can't parse entities: {error}"
    if not visible.strip():
        return "Bad Request: message text is empty"
    if utf16_length(visible) > TEXT_MAX:
        return ("Bad Request: message is too long" if method == "sendMessage"
                else "Bad Request: MESSAGE_TOO_LONG")
    return None


def _caption_refusal(params: Mapping[str, Any]) -> str | None:
    try:
        visible = _visible(str(params.get("caption") or ""), params)
    except HtmlError as error:
        return f"Bad Request: can't parse entities: {error}"
    if utf16_length(visible) > CAPTION_MAX:
        return "Bad Request: message caption is too long"
    return None


def _markup_refusal(markup: Any) -> str | None:
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not isinstance(markup, Mapping) or "inline_keyboard" not in markup:
        return None
    buttons = [button for row in markup["inline_keyboard"] for button in row]
    if len(buttons) > INLINE_BUTTONS_MAX:
        return "Bad Request: reply markup is too long"
    for button in buttons:
        if not str(button.get("text") or "").strip():
            return "Bad Request: BUTTON_TEXT_INVALID"
        if "callback_data" in button:
            size = len(str(button["callback_data"]).encode("utf-8"))
            if not 1 <= size <= CALLBACK_DATA_MAX:
                return "Bad Request: BUTTON_DATA_INVALID"
        elif not any(key in button for key in ("url", "web_app", "switch_inline_query",
                                               "switch_inline_query_current_chat",
                                               "copy_text", "login_url", "pay")):
            return ("Bad Request: can't parse inline keyboard button: Text buttons are "
                    "unallowed in the inline keyboard")
    return None


class _HtmlParser:
    """A port of tdlib's parse_html, over UTF-8 bytes so offsets are Telegram's byte offsets."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.i = 0
        self.out = bytearray()
        self.open: list[str] = []

    def at(self, index: int) -> int:
        return self.data[index] if index < len(self.data) else 0

    def parse(self) -> str:
        while self.i < len(self.data):
            char = self.data[self.i]
            if char == ord("&") and self._entity():
                continue
            if char != ord("<"):
                self.out.append(char)
                self.i += 1
            elif self.at(self.i + 1) == ord("/"):
                self._end_tag()
            else:
                self._start_tag()
        if self.open:
            raise HtmlError(
                f'Can\'t find end tag corresponding to start tag "{self.open[-1]}"')
        return self.out.decode("utf-8")

    def _entity(self) -> bool:
        """Decode the reference at `i` into the output; False when `&` is a plain character."""
        start = self.i
        decoded, end = decode_entity(self.data, start)
        if decoded is None:
            return False
        self.out += decoded.encode("utf-8")
        self.i = end
        return True

    def _skip_spaces(self) -> None:
        while self.at(self.i) in _SPACE:
            self.i += 1

    def _start_tag(self) -> None:
        begin = self.i
        self.i += 1
        while self.at(self.i) and self.at(self.i) not in _SPACE and self.at(self.i) != ord(">"):
            self.i += 1
        if not self.at(self.i):
            raise HtmlError(f"Unclosed start tag at byte offset {begin}")
        name = self.data[begin + 1:self.i].decode("utf-8", "replace").lower()
        if name not in _TAGS:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {begin}')
        attributes = self._attributes(name, begin)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
            raise HtmlError("Invalid custom emoji identifier specified")
        self.open.append(name)
        self.i += 1  # the closing '>'

    def _attributes(self, name: str, begin: int) -> dict[str, str]:
        found: dict[str, str] = {}
        while self.at(self.i) != ord(">"):
            self._skip_spaces()
            if self.at(self.i) == ord(">"):
                break
            attribute_begin = self.i
            while (self.at(self.i) and self.at(self.i) not in _SPACE
                   and self.at(self.i) not in (ord("="), ord(">"))):
                self.i += 1
            attribute = self.data[attribute_begin:self.i].decode("utf-8", "replace").lower()
            if not self.at(self.i):
                raise HtmlError(f'Unclosed start tag "{name}" at byte offset {begin}')
            if not attribute:
                raise HtmlError(
                    f'Empty attribute name in the tag "{name}" at byte offset {begin}')
            self._skip_spaces()
            if self.at(self.i) != ord("="):
                if name == "blockquote" and attribute == "expandable":
                    found[attribute] = ""
                    continue
                raise HtmlError("Expected equal sign in declaration of an attribute of the tag "
                                f'"{name}" at byte offset {begin}')
            self.i += 1
            self._skip_spaces()
            if not self.at(self.i):
                raise HtmlError(f'Unclosed start tag "{name}" at byte offset {begin}')
            found[attribute] = self._attribute_value(attribute_begin)
        return found

    def _attribute_value(self, attribute_begin: int) -> str:
        quote = self.at(self.i)
        if quote not in (ord('"'), ord("'")):
            token_begin = self.i
            while chr(self.at(self.i)).isascii() and (
                    chr(self.at(self.i)).isalnum() or self.at(self.i) in b".-"):
                self.i += 1
            if self.at(self.i) not in _SPACE and self.at(self.i) != ord(">"):
                raise HtmlError(f"Unexpected end of name token at byte offset {token_begin}")
            return self.data[token_begin:self.i].decode("ascii").lower()
        end = self.data.find(bytes([quote]), self.i + 1)
        if end < 0:
            raise HtmlError(
                f"Unclosed end of attribute value at byte offset {attribute_begin}")
        raw = self.data[self.i + 1:end]
        self.i = end + 1
        return _decode_references(raw)

    def _end_tag(self) -> None:
        begin = self.i
        if not self.open:
            raise HtmlError(f"Unexpected end tag at byte offset {begin}")
        self.i += 2
        while self.at(self.i) and self.at(self.i) not in _SPACE and self.at(self.i) != ord(">"):
            self.i += 1
        name = self.data[begin + 2:self.i].decode("utf-8", "replace")
        self._skip_spaces()
        if self.at(self.i) != ord(">"):
            raise HtmlError(f"Unclosed end tag at byte offset {begin}")
        expected = self.open.pop()
        if name and name != expected:
            raise HtmlError(f'Unmatched end tag at byte offset {begin}, expected "</{expected}>", '
                            f'found "</{name}>"')
        self.i += 1


def _decode_references(raw: bytes) -> str:
    """An attribute value with its character references decoded (tags mean nothing there)."""
    out = bytearray()
    index = 0
    while index < len(raw):
        decoded, end = decode_entity(raw, index) if raw[index] == ord("&") else (None, index)
        if decoded is None:
            out.append(raw[index])
            index += 1
        else:
            out += decoded.encode("utf-8")
            index = end
    return out.decode("utf-8")


def decode_entity(data: bytes, start: int) -> tuple[str | None, int]:
    """The character a reference at `start` stands for and where it ends; (None, start) when
    the `&` is an ordinary character. An unknown `&name;` raises HtmlError (see the module)."""

    def at(index: int) -> int:
        return data[index] if index < len(data) else 0

    end = start + 1
    if at(end) == ord("#"):
        end += 1
        value = 0
        hexadecimal = at(end) == ord("x")
        if hexadecimal:
            end += 1
        digits = b"0123456789abcdefABCDEF" if hexadecimal else b"0123456789"
        while at(end) and at(end) in digits:
            value = value * (16 if hexadecimal else 10) + int(chr(at(end)), 16)
            end += 1
            if value >= 0x10FFFF:
                return None, start
        if value == 0 or 0xD800 <= value <= 0xDFFF:
            return None, start
        character = chr(value)
    else:
        while at(end) and chr(at(end)).isascii() and chr(at(end)).isalpha():
            end += 1
        name = data[start + 1:end]
        if name not in _NAMED:
            if name and at(end) == ord(";"):
                raise HtmlError(f'Unsupported HTML entity "&{name.decode()};" at byte offset '
                                f"{start}")
            return None, start
        character = _NAMED[name]
    return character, end + 1 if at(end) == ord(";") else end
