"""Skill payloads are read leniently; what cannot be answered is refused."""

from __future__ import annotations

import json

import pytest

from handlers.kakao.events import message_event, placeholder_name, tap_event
from handlers.kakao.models import (
    BasicCard,
    Button,
    Carousel,
    MalformedRequest,
    QuickReply,
    SimpleText,
    SkillRequest,
    SkillResponse,
    TextCard,
)
from handlers.kakao.validator import validate
from tests.kakao_support import PAYLOADS, payload


def test_a_recorded_payload():
    request = SkillRequest.parse(payload("quick_reply_tap.json", user="u1"))
    assert request.user_id == "u1" and request.user_type == "botUserKey"
    assert request.utterance == "✅ 보내기"
    assert request.token == "TOKEN"
    assert request.block_id == "64f1c0a2e1b4f12a3c5d7e90"
    assert request.bot_id and request.intent_name == "폴백 블록"


@pytest.mark.parametrize(("extra", "token"), [
    (None, None), ("null", None), ("", None), ('{"token": "abc"}', "abc"),
    ({"token": "abc"}, "abc"), ({"token": 5}, None), ({"token": "x" * 65}, None),
    ("{not json", None), ([1, 2], None),
])
def test_client_extra_in_any_of_its_shapes(extra, token):
    assert SkillRequest.parse(payload("balance.json", user="u", extra=extra)).token == token


def test_missing_optional_fields_take_defaults():
    request = SkillRequest.parse({"userRequest": {"user": {"id": 12345}}})
    assert request.user_id == "12345" and request.utterance == "" and request.token is None
    assert request.block_id is None and request.params == {}


@pytest.mark.parametrize("body", [
    None, [], "text", {}, {"userRequest": {}}, {"userRequest": {"user": {"id": ""}}},
    {"userRequest": {"user": {"id": None}}}, {"userRequest": {"user": "u1"}},
])
def test_no_user_no_answer(body):
    with pytest.raises(MalformedRequest):
        SkillRequest.parse(body)


def test_every_recorded_payload_parses():
    for path in PAYLOADS.glob("*.json"):
        SkillRequest.parse(json.loads(path.read_text(encoding="utf-8")))


def test_a_typed_message_gets_a_fresh_key_and_a_tap_its_token():
    request = SkillRequest.parse(payload("pay_by_number.json", user="u1"))
    first, second = message_event(request, None), message_event(request, None)
    assert first.command == "pay" and first.args == ("#3", "5천원", "떡값")
    assert first.update_key != second.update_key  # typed text is not deduplicated
    assert first.sender.channel == "kakao" and first.sender.name.startswith("카카오 회원 ")
    tap = tap_event(request, None, "tok", "pay:ok:1")
    assert tap.action == "pay:ok:1" and tap.update_key == tap.request_key == "kakao:token:tok"


def test_placeholder_names_are_short_and_stable():
    assert placeholder_name("abc") == placeholder_name("abc") != placeholder_name("abd")
    assert len(placeholder_name("abc")) == len("카카오 회원 ") + 4


def test_the_response_models_write_kakao_json():
    block = "b1"
    response = SkillResponse(
        [SimpleText("안녕하세요"),
         TextCard("제목", "설명", [Button("열기", "block", "열기", block, extra={"token": "t"})]),
         Carousel("basicCard", [BasicCard("https://pumasi.test/a.png", "사진")])],
        [QuickReply("💰 잔액", "message", "💰 잔액")])
    body = response.to_dict()
    validate(body, strict=True)
    assert body["template"]["outputs"][1] == {"textCard": {
        "title": "제목", "description": "설명", "buttons": [
            {"label": "열기", "action": "block", "messageText": "열기", "blockId": "b1",
             "extra": {"token": "t"}}]}}
    assert body["template"]["outputs"][2]["carousel"]["items"][0] == {
        "title": "사진", "thumbnail": {"imageUrl": "https://pumasi.test/a.png"}}
    assert body["template"]["quickReplies"] == [
        {"label": "💰 잔액", "action": "message", "messageText": "💰 잔액"}]
