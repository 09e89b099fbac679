"""The conversation's replies laid out for Kakao: always inside the limits (every response here
passes the validator), plain text, and still usable when there is too much of it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conversation.i18n import translator
from conversation.replies import (
    Button,
    DropButtons,
    Edit,
    File,
    Menu,
    Photo,
    Say,
    Toast,
    keyboard,
)
from handlers.kakao import limits as L
from handlers.kakao.pieces import pieces
from handlers.kakao.render import MORE, render
from handlers.kakao.text import label, plain, split
from handlers.kakao.validator import validate
from storage.kakao import News

BLOCK = "64f1c0a2e1b4f12a3c5d7e90"
TR = translator("ko")


async def shown(replies, *, block_id=BLOCK, media=None, news=(), waiting=0):
    found = await pieces(list(replies), TR, media)
    rendered = render(found, TR, block_id, news=list(news), waiting=waiting)
    body = rendered.fill([f"tok{n}" for n in range(len(rendered.issues))])
    validate(body, strict=True)
    return rendered, body


def texts(body) -> list[str]:
    return [output["simpleText"]["text"] for output in body["template"]["outputs"]
            if "simpleText" in output]


def quick(body) -> list[dict]:
    return body["template"].get("quickReplies", [])


def row(*pairs) -> tuple:
    return keyboard([[Button(text, action) for text, action in pairs]])


async def test_plain_text_with_buttons_as_quick_replies_carrying_tokens():
    rendered, body = await shown([Say("<b>5,000문</b> 보낼까요? &lt;떡값&gt;",
                                      row(("✅ 보내기", "pay:ok:1"), ("취소", "pay:no:1")))])
    assert texts(body) == ["5,000문 보낼까요? <떡값>"]
    assert [(reply["label"], reply["extra"]["token"]) for reply in quick(body)] == [
        ("✅ 보내기", "tok0"), ("취소", "tok1")]
    assert [issue.action for issue, _ in rendered.issues] == ["pay:ok:1", "pay:no:1"]
    assert all(reply["action"] == "block" and reply["blockId"] == BLOCK for reply in quick(body))


async def test_a_long_text_is_split_over_three_bubbles_and_cut():
    lines = [f"{n:03d}. " + "가나다라마바사아자차" * 4 for n in range(120)]
    _, body = await shown([Say("\n".join(lines))])
    bubbles = texts(body)
    assert len(bubbles) == L.OUTPUTS_MAX
    assert all(len(bubble) <= L.SIMPLE_TEXT_MAX for bubble in bubbles)
    assert bubbles[-1].endswith("…")
    assert bubbles[0].startswith("000.") and bubbles[1][:3].isdigit()  # broken between lines


async def test_past_ten_actions_the_rest_is_behind_more():
    actions = [(f"{n}번 사람", f"ev:chk:1:{n}") for n in range(1, 13)]
    rendered, body = await shown([Say("출석을 눌러 주세요", row(*actions))])
    replies = quick(body)
    assert len(replies) == L.QUICK_REPLIES_MAX
    assert replies[-1]["label"] == "더 보기 ▶"
    more = rendered.issues[-1][0]
    assert more.action == MORE and [action for _, action in more.more] == [
        f"ev:chk:1:{n}" for n in range(10, 13)]


def test_labels_fit_fourteen_characters():
    assert label("✅ Accept and pay") == "Accept and pay"
    assert label("🔁 Renew for 30 days") == "Renew for 30…"
    assert label("✅ 보내기") == "✅ 보내기"
    assert len(label("가" * 40)) == L.LABEL_MAX


async def test_the_menu_is_offered_only_without_other_actions():
    menu = Menu((("💰 잔액", "📜 거래내역"), ("❓ 도움말",)))
    _, body = await shown([Say("안녕하세요", menu=menu)])
    assert [reply["messageText"] for reply in quick(body)] == [
        "💰 잔액", "📜 거래내역", "❓ 도움말"]
    assert all("extra" not in reply for reply in quick(body))  # said, read as typed text
    _, body = await shown([Say("안녕하세요", menu=menu), Say("고르세요", row(("1", "a:1")))])
    assert [reply["messageText"] for reply in quick(body)] == ["1"]


async def test_a_numbered_list_with_a_button_per_number_is_a_list_card():
    text = ("<b>장터</b> · 1쪽\n1. 🎁 <b>김치</b> · 15,000문 · #3 박민지\n"
            "2. 🙋 <b>아이 옷</b> · 가격 협의 · #4 최수진")
    buttons = keyboard([[Button("1", "post:v:7"), Button("2", "post:v:9")],
                        [Button("다음 ▶", "mkt:1:")]])
    rendered, body = await shown([Say(text, buttons)])
    card = body["template"]["outputs"][0]["listCard"]
    assert card["header"]["title"] == "장터 · 1쪽"
    assert [(item["title"], item["description"]) for item in card["items"]] == [
        ("🎁 김치", "15,000문 · #3 박민지"), ("🙋 아이 옷", "가격 협의 · #4 최수진")]
    assert [button["label"] for button in card["buttons"]] == ["다음 ▶"]
    assert [issue.action for issue, _ in rendered.issues] == ["post:v:7", "post:v:9", "mkt:1:"]
    assert quick(body) == []


async def test_an_indented_line_belongs_to_its_entry_and_more_than_five_stay_text():
    text = "<b>학당</b>\n1. <b>품앗이 학당</b>\n   3월 5일 · 10자리 남음\n…외 1건"
    _, body = await shown([Say(text, row(("1", "ev:v:1")))])
    outputs = body["template"]["outputs"]
    assert outputs[0]["listCard"]["items"][0] == {
        "title": "품앗이 학당", "description": "3월 5일 · 10자리 남음", "action": "block",
        "blockId": BLOCK, "messageText": "품앗이 학당", "extra": {"token": "tok0"}}
    assert outputs[1] == {"simpleText": {"text": "…외 1건"}}
    many = "목록\n" + "\n".join(f"{n}. 항목 {n}" for n in range(1, 7))
    _, body = await shown([Say(many, row(*[(str(n), f"ev:v:{n}") for n in range(1, 7)]))])
    assert "listCard" not in str(body) and len(quick(body)) == 6


async def test_without_a_block_id_quick_replies_are_said_and_lists_stay_text():
    _, body = await shown([Say("장터\n1. 김치", row(("1", "post:v:1")))], block_id=None)
    assert "listCard" not in str(body)
    assert quick(body)[0]["action"] == "message" and quick(body)[0]["messageText"] == "1"


async def test_edits_toasts_and_dropped_buttons():
    _, body = await shown([Toast("보냈어요", alert=True), Edit("✅ 보냈어요.\n5,000문"),
                           DropButtons(), Toast(None)])
    assert texts(body) == ["보냈어요\n\n✅ 보냈어요.\n5,000문"]


async def test_links_keep_their_address():
    assert plain('📍 <a href="https://map.test/?a=1&amp;b=2">지도</a>') == (
        "📍 지도 (https://map.test/?a=1&b=2)")
    # unescaped once: a parameter named like an HTML entity (&para, &reg) stays as written
    assert plain('<a href="https://map.test/?id=7&amp;region=mapo&amp;para=1">지도</a> &amp;'
                 ) == "지도 (https://map.test/?id=7&region=mapo&para=1) &"
    assert plain('<a href="https://map.test/?x=1&amp;copy=2">https://map.test/?x=1&amp;copy=2'
                 '</a>') == "https://map.test/?x=1&copy=2"
    _, body = await shown([Say("모임", keyboard([[Button("단톡방 열기", url="https://t.me/x")]]))])
    assert texts(body) == ["모임\n단톡방 열기: https://t.me/x"]


async def test_a_picture_with_a_media_url_and_without():
    stored = []

    async def put(content: bytes, content_type: str) -> str:
        stored.append((content, content_type))
        return "https://pumasi.test/media/abc.png"

    _, body = await shown([Photo("월별 거래", content=b"PNG", filename="stats.png")], media=put)
    assert body["template"]["outputs"][0] == {"simpleImage": {
        "imageUrl": "https://pumasi.test/media/abc.png", "altText": "월별 거래"}}
    assert texts(body) == ["월별 거래"] and stored == [(b"PNG", "image/png")]
    _, body = await shown([Photo("<b>김치</b>", ref="AgACAgUAAxkBAAI")], media=put)
    assert "simpleImage" not in str(body)
    assert texts(body)[0].startswith("김치\n(카카오톡에서는 보여 드릴 수 없는 사진")

    def broken(content: bytes, content_type: str) -> str:
        raise OSError("disk full")

    _, body = await shown([Photo("차트", content=b"PNG")], media=broken)
    assert "simpleImage" not in str(body) and "텔레그램" in texts(body)[0]


async def test_files_are_explained():
    _, body = await shown([File(b"a,b", "mapo-2026.csv", "<b>거래</b>"),
                           File(b"BEGIN", "event-1.ics")])
    said = texts(body)[0]
    assert said.startswith("거래\n📎 카카오톡으로는") and "pumasi export" in said
    assert "event-1.ics" in said and said.count("pumasi export") == 1


def news(n: int, buttons=()) -> News:
    return News(n, f"💰 돈이 들어왔어요 {n}", tuple(buttons), datetime(2026, 3, 2, tzinfo=UTC))


async def test_news_comes_first_in_a_bubble_of_its_own():
    rendered, body = await shown(
        [Say("잔액: 0문", row(("내역", "hist:0")))],
        news=[news(1), news(2, [("✅ 수락하고 보내기", "chg:ok:4")])], waiting=2)
    assert texts(body) == [
        "📬 새 소식 2건\n\n💰 돈이 들어왔어요 1\n\n💰 돈이 들어왔어요 2", "잔액: 0문"]
    assert [reply["messageText"] for reply in quick(body)] == ["내역", "✅ 수락하고 보내기"]
    assert rendered.news_shown == [1, 2]
    _, body = await shown([Say("잔액: 0문")], news=[news(1)], waiting=7)
    assert "나머지 6건은 다음 답장에서" in texts(body)[0]


async def test_too_many_bubbles_become_one_text():
    replies = [Photo("사진1", content=b"a"), Say("목록\n1. 가", row(("1", "x:1"))),
               Photo("사진2", content=b"b")]
    _, body = await shown(replies, media=lambda content, kind: "https://pumasi.test/m.png",
                          news=[news(1)], waiting=1)
    assert len(body["template"]["outputs"]) == 1
    assert "🖼 https://pumasi.test/m.png" in texts(body)[0]
    assert [reply["messageText"] for reply in quick(body)] == ["1"]


async def test_nothing_to_say_still_says_something():
    _, body = await shown([Toast(None), DropButtons()])
    assert texts(body) == ["처리했어요."]


@pytest.mark.parametrize("length", [0, 1, 999, 1000, 1001, 2999, 3000, 3001, 5000])
def test_split_never_passes_the_limits(length):
    text = ("가나다 라마바\n" * 1000)[:length]
    parts = split(text, L.SIMPLE_TEXT_MAX, L.OUTPUTS_MAX)
    assert len(parts) <= L.OUTPUTS_MAX
    assert all(len(part) <= L.SIMPLE_TEXT_MAX for part in parts)
    if len(text.strip()) <= L.SIMPLE_TEXT_MAX:
        assert parts == ([text.strip()] if text.strip() else [])
