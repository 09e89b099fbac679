"""A shop's QR or short code opened by someone who cannot pay there now, on Telegram, the
console and KakaoTalk: whose shop it is and what to do next (never the join code); a member
of both communities switches to the shop's and pays; suspended and departed members can't."""

from __future__ import annotations

from bot.updates import FakeUser
from core.organisations import Profile
from tests.conftest import KIM, LEE, PARK
from tests.conversation.test_merchant_scenarios import register_shop, said, shop_of
from tests.support import count_rows, open_community

JUNG = FakeUser(105, "정다은", "daeun")  # of 종로 품앗이, speaking Korean


async def _two_communities(harness) -> None:
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await harness.services.membership.create_community(
        code="jongno", name="종로 품앗이", credit_floor=-300_000, approval="auto")


async def test_someone_of_another_community_learns_whose_shop_it_is(any_harness):
    harness = any_harness
    await _two_communities(harness)
    await harness.join(JUNG, "jongno")
    shop = await shop_of(harness)
    for opened in (f"/start shop_{shop['token']}", f"가게 {shop['short_code']}"):
        told = said(await harness.send(JUNG, opened))
        assert "마포 떡집 — 마포 품앗이의 가맹점이에요." in told
        assert "마포 품앗이 회원만 품앗이로 결제할 수 있어요." in told
        assert "가게나 마포 품앗이 운영위원에게 가입 코드를 물어본 뒤 /join 코드" in told
        assert "mapo" not in told  # the join code is the coordinator's to give
    assert "품앗이로" not in said(await harness.send(JUNG, "19800"))  # no bill asked
    assert await count_rows(harness.services, "merchant_payments") == 0


async def test_someone_in_no_community_learns_it_too(any_harness):
    harness = any_harness
    await _two_communities(harness)
    shop = await shop_of(harness)
    told = said(await harness.send(JUNG, f"/start shop_{shop['token']}"))
    assert "마포 떡집 — 마포 품앗이의 가맹점이에요." in told and "/join 코드" in told


async def test_a_member_of_both_switches_to_the_shops_community_and_pays(any_harness):
    harness = any_harness
    await _two_communities(harness)
    await harness.join(PARK, "jongno")
    await harness.send(PARK, "/switch")
    await harness.tap(PARK, harness.button_data(PARK, "종로 품앗이"))
    shop = await shop_of(harness)
    offered = said(await harness.send(PARK, f"/start shop_{shop['token']}"))
    assert "지금은 종로 품앗이에서 거래하고 있어요." in offered
    assert "마포 품앗이로 바꿔야 해요. 바꿀까요?" in offered
    switched = said(await harness.tap(PARK, f"mer:sw:{shop['id']}"))
    assert "이제 마포 품앗이에서 거래해요." in switched
    assert "마포 떡집 (가맹점 1)" in switched and "19800" in switched  # card, then the bill
    preview = said(await harness.send(PARK, "19800"))
    assert "19,800원 중 7,900문은 품앗이로, 11,900원은 현금으로" in preview
    await harness.tap(PARK, harness.button_data(PARK, "보내기"))
    assert await count_rows(harness.services, "transfers") == 1
    # the same by the short code typed while using the other community
    await harness.send(PARK, "/switch")
    await harness.tap(PARK, harness.button_data(PARK, "종로 품앗이"))
    assert "바꿀까요?" in said(await harness.send(PARK, f"가게 {shop['short_code']}"))


async def test_a_suspended_member_is_told_and_cannot_pay(any_harness):
    harness = any_harness
    await _two_communities(harness)
    await harness.send(KIM, "/suspend #3 회비 확인 중")
    shop = await shop_of(harness)
    for opened in (f"/start shop_{shop['token']}", f"가게 {shop['short_code']}"):
        told = said(await harness.send(PARK, opened))
        assert "마포 떡집 — 마포 품앗이의 가맹점이에요." in told
        assert "마포 품앗이 회원 자격이 정지되어 이 가게에서 결제할 수 없어요." in told
        assert "사유: 회비 확인 중" in told and "운영위원에게 문의해 주세요" in told
        assert "바꿀까요" not in told
    await harness.send(PARK, "19800")
    assert await count_rows(harness.services, "merchant_payments") == 0


async def test_a_member_who_left_is_told_and_cannot_pay(any_harness):
    harness = any_harness
    await _two_communities(harness)
    await harness.send(PARK, "/leave")
    await harness.tap(PARK, harness.button_data(PARK, "탈퇴"))
    shop = await shop_of(harness)
    told = said(await harness.send(PARK, f"/start shop_{shop['token']}"))
    assert "마포 품앗이에서 탈퇴하셔서 이 가게에서는 결제할 수 없어요." in told
    assert "/join 코드" in told and "mapo" not in told
    await harness.send(PARK, "19800")
    assert await count_rows(harness.services, "merchant_payments") == 0


async def test_a_shop_still_applying_is_not_shown_to_outsiders(any_harness):
    harness = any_harness
    await _two_communities(harness)
    park = await harness.services.people.resolve(harness.channel, str(PARK.id),
                                                 PARK.first_name)
    await harness.services.organisations.apply(park, Profile(name="망원 국수"))
    applying = await shop_of(harness, 2)
    assert applying["status"] == "pending"
    told = said(await harness.send(JUNG, f"/start shop_{applying['token']}"))
    assert "찾지 못했어요" in told and "망원 국수" not in told and "마포 품앗이" not in told
