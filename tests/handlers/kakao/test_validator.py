"""The Kakao validator accepts what Kakao shows and refuses, saying where, what it would not."""

from __future__ import annotations

import copy
import re

import pytest

from handlers.kakao.validator import InvalidResponse, validate

BLOCK = "64f1c0a2e1b4f12a3c5d7e90"


def quick(label: str = "✅ 보내기", **extra) -> dict:
    return {"label": label, "action": "block", "messageText": label, "blockId": BLOCK,
            "extra": {"token": "abc123"}, **extra}


def button(label: str = "열어보기") -> dict:
    return {"label": label, "action": "block", "messageText": label, "blockId": BLOCK,
            "extra": {"token": "t"}}


GOOD = {
    "version": "2.0",
    "template": {
        "outputs": [
            {"simpleText": {"text": "보낼 내용을 확인해 주세요."}},
            {"listCard": {"header": {"title": "장터 · 1쪽"},
                          "items": [{"title": "김치 담가 드려요", "description": "15,000문",
                                     "action": "block", "blockId": BLOCK,
                                     "extra": {"token": "x"}}],
                          "buttons": [button("다음 ▶")]}},
            {"carousel": {"type": "basicCard", "items": [
                {"title": "학당", "description": "3월 5일",
                 "thumbnail": {"imageUrl": "https://pumasi.test/media/a.png"},
                 "buttons": [button(), button("신청")]}]}},
        ],
        "quickReplies": [quick(), {"label": "💰 잔액", "action": "message",
                                   "messageText": "💰 잔액"}],
    },
}


def changed(path: list, value) -> dict:
    response = copy.deepcopy(GOOD)
    target = response
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return response


_DELETE = object()


def test_a_good_response_passes():
    validate(GOOD, strict=True)


@pytest.mark.parametrize("response", [
    {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "가" * 1000}}]}},
    {"version": "2.0", "template": {"outputs": [{"textCard": {"description": "설명"}}]}},
    {"version": "2.0", "template": {"outputs": [{"simpleImage": {
        "imageUrl": "https://pumasi.test/a.png", "altText": "차트"}}]}},
    {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "a"}}] * 3,
                                    "quickReplies": [quick(f"{n}") for n in range(10)]}},
    {"version": "2.0", "template": {"outputs": [{"basicCard": {
        "thumbnail": {"imageUrl": "https://pumasi.test/a.png"},
        "buttons": [button(), button(), {"label": "지도", "action": "webLink",
                                          "webLinkUrl": "https://map.test/1"}]}}]}},
], ids=["1000 characters", "textCard description only", "image", "3 outputs 10 replies",
        "basicCard 3 buttons"])
def test_accepted_at_the_limits(response):
    validate(response, strict=True)


@pytest.mark.parametrize(("response", "where"), [
    ("not a dict", "response"),
    (changed(["version"], "1.0"), "version"),
    (changed(["template", "outputs"], []), "template.outputs"),
    (changed(["template", "outputs"], [{"simpleText": {"text": "a"}}] * 4), "template.outputs"),
    (changed(["template", "outputs", 0, "simpleText", "text"], "가" * 1001),
     "outputs[0].simpleText.text"),
    (changed(["template", "outputs", 0, "simpleText", "text"], "  "),
     "outputs[0].simpleText.text"),
    (changed(["template", "outputs", 0], {"simpleText": {"text": "a"}, "textCard": {}}),
     "outputs[0]"),
    (changed(["template", "outputs", 0], {"bigCard": {}}), "outputs[0].bigCard"),
    (changed(["template", "quickReplies"], [quick()] * 11), "template.quickReplies"),
    (changed(["template", "quickReplies", 0, "label"], "가" * 15), "quickReplies[0].label"),
    (changed(["template", "quickReplies", 0, "blockId"], _DELETE), "quickReplies[0].blockId"),
    (changed(["template", "quickReplies", 0, "action"], "webLink"), "quickReplies[0].action"),
    (changed(["template", "quickReplies", 1, "messageText"], _DELETE),
     "quickReplies[1].messageText"),
    (changed(["template", "quickReplies", 0, "extra"], "token"), "quickReplies[0].extra"),
    (changed(["template", "outputs", 1, "listCard", "items"],
             GOOD["template"]["outputs"][1]["listCard"]["items"] * 6), "listCard.items"),
    (changed(["template", "outputs", 1, "listCard", "buttons"], [button()] * 3),
     "listCard.buttons"),
    (changed(["template", "outputs", 1, "listCard", "header"], _DELETE), "listCard.header"),
    (changed(["template", "outputs", 1, "listCard", "items", 0, "title"], "가" * 51),
     "items[0].title"),
    (changed(["template", "outputs", 2, "carousel", "items", 0, "buttons"], [button()] * 3),
     "carousel.items[0].buttons"),
    (changed(["template", "outputs", 2, "carousel", "items"],
             GOOD["template"]["outputs"][2]["carousel"]["items"] * 11), "carousel.items"),
    (changed(["template", "outputs", 2, "carousel", "type"], "commerceCards"),
     "carousel.type"),
    (changed(["template", "outputs", 2, "carousel", "items", 0, "thumbnail"], _DELETE),
     "thumbnail.imageUrl"),
    (changed(["template", "outputs", 2, "carousel", "items", 0, "description"], "가" * 231),
     "items[0].description"),
    ({"version": "2.0", "template": {"outputs": [{"textCard": {"buttons": []}}]}},
     "textCard"),
    ({"version": "2.0", "template": {"outputs": [{"textCard": {
        "title": "가" * 51}}]}}, "textCard.title"),
    ({"version": "2.0", "template": {"outputs": [{"basicCard": {
        "title": "a", "thumbnail": {"imageUrl": "https://a.test/a.png"},
        "buttons": [button()] * 4}}]}}, "basicCard.buttons"),
    ({"version": "2.0", "template": {"outputs": [{"simpleImage": {
        "imageUrl": "file:///etc/passwd", "altText": "a"}}]}}, "imageUrl"),
    ({"version": "2.0", "template": {"outputs": [{"textCard": {"title": "a", "buttons": [
        {"label": "지도", "action": "webLink"}]}}]}}, "webLinkUrl"),
    ({"version": "2.0", "template": {"outputs": [{"simpleText": {"text": {1, 2}}}]}},
     "response"),
], ids=lambda value: value if isinstance(value, str) else None)
def test_refused_with_where(response, where):
    with pytest.raises(InvalidResponse, match=re.escape(where)):
        validate(response)


def test_strict_refuses_html_left_in_text():
    response = changed(["template", "outputs", 0, "simpleText", "text"], "<b>잔액</b>: 0문")
    validate(response)  # Kakao would show it, tags and all
    with pytest.raises(InvalidResponse, match="HTML"):
        validate(response, strict=True)
    escaped = changed(["template", "quickReplies", 0, "label"], "A &amp; B")
    with pytest.raises(InvalidResponse, match="HTML"):
        validate(escaped, strict=True)
