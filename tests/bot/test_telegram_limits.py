"""The validator the fake Bot API uses: what Telegram accepts, and what it refuses in its words."""

from __future__ import annotations

import pytest

from bot.telegram_limits import HtmlError, parse_html, refusal, utf16_length

HTML = {"parse_mode": "HTML"}


def keyboard(*rows: list[dict]) -> dict:
    return {"inline_keyboard": list(rows)}


@pytest.mark.parametrize(("html", "shown"), [
    ("plain text", "plain text"),
    ("<b>bold</b> <strong>s</strong> <i>i</i> <em>e</em> <u>u</u> <ins>n</ins>",
     "bold s i e u n"),
    ("<s>a</s><strike>b</strike><del>c</del>", "abc"),
    ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy"),
    ('<a href="https://example.org/?a=1&amp;b=2">map</a>', "map"),
    ('<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
    ("<blockquote>q</blockquote><blockquote expandable>e</blockquote>", "qe"),
    ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
    ("<B>upper</b>", "upper"),
    ("<b>x</>", "x"),
    ("a &lt; b &gt; c &amp; d &quot;e&quot;", 'a < b > c & d "e"'),
    ("&#44032;&#xAC00; &#128512;", "가가 😀"),
    ("R&D, salt & pepper, &#0; &#xD800;", "R&D, salt & pepper, &#0; &#xD800;"),
    ("1 > 0", "1 > 0"),
    ("<b>a <i>b</i> c</b>", "a b c"),
])
def test_accepted_html_and_what_it_shows(html: str, shown: str) -> None:
    assert parse_html(html) == shown


@pytest.mark.parametrize(("html", "description"), [
    ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
    ("김영희 <br> 님", 'Unsupported start tag "br" at byte offset 10'),
    ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ("a<b", "Unclosed start tag at byte offset 1"),
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("<b x>y</b>", 'Expected equal sign in declaration of an attribute of the tag "b" at '
                   "byte offset 0"),
    ('<a href="x>y</a>', "Unclosed end of attribute value at byte offset 3"),
    ("a &nbsp; b", 'Unsupported HTML entity "&nbsp;" at byte offset 2'),
])
def test_refused_html_with_telegrams_description(html: str, description: str) -> None:
    with pytest.raises(HtmlError) as refused:
        parse_html(html)
    assert str(refused.value) == description
    assert refusal("sendMessage", {"text": html, **HTML}) == (
        f"Bad Request: can't parse entities: {description}")


def test_html_is_only_parsed_in_html_mode() -> None:
    assert refusal("sendMessage", {"text": "1 < 2"}) is None
    assert refusal("sendMessage", {"text": "1 < 2", "parse_mode": "html"}) is not None


def test_text_length_is_counted_after_entity_parsing_in_utf16_units() -> None:
    assert utf16_length("가😀") == 3
    assert refusal("sendMessage", {"text": "<b>" + "가" * 4096 + "</b>", **HTML}) is None
    assert refusal("sendMessage", {"text": "&amp;" * 4096, **HTML}) is None
    assert refusal("sendMessage", {"text": "가" * 4097, **HTML}) == (
        "Bad Request: message is too long")
    assert refusal("sendMessage", {"text": "😀" * 2049, **HTML}) == (
        "Bad Request: message is too long")
    assert refusal("editMessageText", {"text": "x" * 4097, **HTML}) == (
        "Bad Request: MESSAGE_TOO_LONG")


@pytest.mark.parametrize("text", ["", "   \n ", "<b> </b>"])
def test_empty_text_is_refused(text: str) -> None:
    assert refusal("sendMessage", {"text": text, **HTML}) == "Bad Request: message text is empty"
    assert refusal("editMessageText", {"text": text, **HTML}) == (
        "Bad Request: message text is empty")


@pytest.mark.parametrize("method", ["sendPhoto", "sendDocument", "editMessageCaption"])
def test_captions_up_to_1024(method: str) -> None:
    assert refusal(method, {"caption": "<i>" + "가" * 1024 + "</i>", **HTML}) is None
    assert refusal(method, {**HTML}) is None
    assert refusal(method, {"caption": "가" * 1025, **HTML}) == (
        "Bad Request: message caption is too long")
    assert refusal(method, {"caption": "<x>", **HTML}) == (
        "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0")


def test_callback_answers_up_to_200() -> None:
    assert refusal("answerCallbackQuery", {"callback_query_id": "1"}) is None
    assert refusal("answerCallbackQuery", {"text": "가" * 200}) is None
    assert refusal("answerCallbackQuery", {"text": "가" * 201}) == (
        "Bad Request: MESSAGE_TOO_LONG")


def test_callback_data_is_1_to_64_bytes() -> None:
    ok = keyboard([{"text": "a", "callback_data": "x" * 64}])
    assert refusal("sendMessage", {"text": "t", "reply_markup": ok}) is None
    for data in ("", "x" * 65, "가" * 22):  # 22 Hangul syllables are 66 bytes
        markup = keyboard([{"text": "a", "callback_data": data}])
        assert refusal("sendMessage", {"text": "t", "reply_markup": markup}) == (
            "Bad Request: BUTTON_DATA_INVALID")
        assert refusal("editMessageReplyMarkup", {"reply_markup": markup}) == (
            "Bad Request: BUTTON_DATA_INVALID")


def test_at_most_100_inline_buttons() -> None:
    button = {"text": "b", "callback_data": "d"}
    hundred = keyboard(*[[button] * 2 for _ in range(50)])
    assert refusal("sendMessage", {"text": "t", "reply_markup": hundred}) is None
    more = keyboard(*[[button] * 2 for _ in range(50)], [button])
    assert refusal("sendMessage", {"text": "t", "reply_markup": more}) == (
        "Bad Request: reply markup is too long")
    assert refusal("editMessageReplyMarkup", {"reply_markup": more}) == (
        "Bad Request: reply markup is too long")


def test_buttons_need_a_label_and_an_action() -> None:
    assert refusal("sendMessage", {"text": "t", "reply_markup": keyboard(
        [{"text": "", "callback_data": "d"}])}) == "Bad Request: BUTTON_TEXT_INVALID"
    assert refusal("sendMessage", {"text": "t", "reply_markup": keyboard(
        [{"text": "a"}])}) == ("Bad Request: can't parse inline keyboard button: Text buttons "
                               "are unallowed in the inline keyboard")
    assert refusal("sendMessage", {"text": "t", "reply_markup": keyboard(
        [{"text": "a", "url": "https://t.me/x"}])}) is None


def test_reply_keyboards_and_markup_as_json_text() -> None:
    assert refusal("sendMessage", {"text": "t", "reply_markup": {
        "keyboard": [[{"text": "💰 잔액"}]]}}) is None
    assert refusal("sendMessage", {"text": "t", "reply_markup": (
        '{"inline_keyboard": [[{"text": "a", "callback_data": ""}]]}')}) == (
        "Bad Request: BUTTON_DATA_INVALID")


def test_text_that_is_not_utf8_is_refused() -> None:
    assert refusal("sendMessage", {"text": "a\ud800b"}) == (
        "Bad Request: strings must be encoded in UTF-8")
