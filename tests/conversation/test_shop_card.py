"""A shop's card on every channel (`any_harness`): the profile given in the /shop dialog —
category, address, opening hours, a map link — and what the shop accepts. The map's address
reaches members on channels without links too (KakaoTalk, the console spell it out). The list
and its search words (`가게`, `가맹점`, `/merchants`), institutions included."""

from __future__ import annotations

from conversation.limits import plain_text
from tests.conftest import KIM, LEE, PARK
from tests.conversation.test_merchant_followups import apply_for, said, shop_code
from tests.support import open_community

MAP = "https://naver.me/5tteok"


async def test_the_card_shows_the_profile_and_the_map_link_on_every_channel(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await harness.send(LEE, "/shop")
    await harness.send(LEE, "마포 떡집")
    await harness.send(LEE, "떡, 한과")
    await harness.send(LEE, "마포구 망원로 12")
    await harness.send(LEE, "매일 9시~20시")
    await harness.send(LEE, MAP)
    await harness.tap(LEE, "sha:skip")  # phone
    await harness.tap(LEE, "sha:skip")  # photo
    await harness.send(LEE, "40")
    await harness.send(LEE, "5천")  # at most 5,000 a bill
    await harness.tap(LEE, "sha:r:100")
    await harness.tap(LEE, "sha:save")
    await harness.tap(KIM, harness.button_data(KIM, "승인"))
    shown = [call.text for call in await harness.send(PARK, f"가게 {await shop_code(harness)}")
             if call.text]
    card = "\n".join(plain_text(text) for text in shown)
    for line in ("마포 떡집", "떡, 한과", "주소: 마포구 망원로 12", "영업시간: 매일 9시~20시",
                 "최대 40%", "5,000문"):
        assert line in card, line
    if harness.channel == "telegram":  # a link under the word 지도
        assert any(f'<a href="{MAP}">지도</a>' in text for text in shown)
    else:  # no links here: the address itself
        assert MAP in card
    # the card asked for the bill: 40% of it is 7,920, more than the cap of 5,000
    preview = said(await harness.send(PARK, "19800"))
    assert "19,800원 중 5,000문은 품앗이로, 14,800원은 현금으로" in preview


async def test_the_list_and_its_search_words_with_the_institutions(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await apply_for(harness)  # shop 1, 마포 떡집, by LEE
    await harness.tap(KIM, harness.button_data(KIM, "승인"))
    await harness.send(KIM, "/institution 마포구립도서관")  # number 2
    for words in ("가게", "가맹점", "/merchants"):
        listed = said(await harness.send(PARK, words))
        assert "1. 마포 떡집" in listed and "2. 마포구립도서관" in listed, words
    for words in ("가게 떡", "가맹점 떡", "/merchants 떡"):
        found = said(await harness.send(PARK, words))
        assert "마포 떡집" in found and "도서관" not in found, words
    found = said(await harness.send(PARK, "가게 도서관"))
    assert "마포구립도서관" in found and "떡집" not in found
    assert "맞는 가게가 없어요" in said(await harness.send(PARK, "가맹점 철물점"))
    # the card from the list's button
    card = said(await harness.tap(PARK, harness.button_data(PARK, "마포구립도서관")))
    assert "마포구립도서관 (공공기관 2)" in card
