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
CHO = FakeUser(177, "조민수", "minsu")  # of 서대문 품앗이


async def _two_communities(harness) -> None:
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await harness.services.membership.create_community(
        code="jongno", name="종로 품앗이", credit_floor=-300_000, approval="auto")


async def _using_jongno(harness, user: FakeUser):
    """`user`, a member of 종로 품앗이 too, switches to it (/switch and its button); what
    the button answered."""
    await harness.send(user, "/switch")
    return await harness.tap(user, harness.button_data(user, "종로 품앗이"))


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
    await _using_jongno(harness, PARK)
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
    await _using_jongno(harness, PARK)
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


async def _sql(harness, sql: str, params: tuple = ()) -> None:
    async with harness.services.db.write(records_update=False) as conn:
        await conn.execute(sql, params)


async def _actor(harness, user: FakeUser):
    return await harness.services.people.resolve(harness.channel, str(user.id), user.first_name)


async def _shop_named(harness, name: str):
    async with harness.services.db.read() as conn, conn.execute(
            "SELECT id, token, short_code, status FROM organisations WHERE name = ?",
            (name,)) as cursor:
        return await cursor.fetchone()


async def _open_shop_in(harness, code: str, name: str, owner: FakeUser, **sets) -> None:
    """A community `code` whose member `owner` runs the approved shop `name` (columns of
    `sets` written over it, e.g. the short code another shop uses)."""
    await harness.services.membership.create_community(
        code=code, name=f"{code} 품앗이", credit_floor=-300_000, approval="auto")
    await harness.join(owner, code)
    await harness.services.organisations.apply(await _actor(harness, owner), Profile(name=name))
    sets = {"status": "active", **sets}
    await _sql(harness, f"UPDATE organisations SET {', '.join(f'{k} = ?' for k in sets)}"
                        " WHERE name = ?", (*sets.values(), name))


async def test_an_old_code_of_my_other_community_says_it_changed(any_harness):
    """PARK, of 마포 and 종로 and using 종로, types 마포 떡집's old code after the shop changed
    its codes: he is told it changed, not shown a third community's shop that has it now."""
    harness = any_harness
    await _two_communities(harness)
    await harness.join(PARK, "jongno")
    await _using_jongno(harness, PARK)
    old = (await shop_of(harness))["short_code"]
    await harness.services.organisations.rotate_codes(
        await _actor(harness, LEE), (await shop_of(harness))["id"])
    await _open_shop_in(harness, "seodaemun", "서대문 국밥", JUNG, short_code=old)
    told = said(await harness.send(PARK, f"가게 {old}"))
    assert "이 가게의 코드가 바뀌었어요" in told and "서대문 국밥" not in told
    await harness.send(PARK, "19800")
    assert await count_rows(harness.services, "merchant_payments") == 0


async def test_a_code_in_use_in_my_other_community_wins_over_an_old_one(any_harness):
    """PARK, of 마포, 종로 and 서대문 and using 종로, types a code 마포 떡집 used before and
    서대문 국밥 uses now: the shop in use opens (named, with the switch to its community),
    not "it changed"."""
    harness = any_harness
    await _two_communities(harness)
    await harness.join(PARK, "jongno")
    old = (await shop_of(harness))["short_code"]
    await harness.services.organisations.rotate_codes(
        await _actor(harness, LEE), (await shop_of(harness))["id"])
    await _open_shop_in(harness, "seodaemun", "서대문 국밥", JUNG, short_code=old)
    await harness.join(PARK, "seodaemun")
    await _using_jongno(harness, PARK)
    told = said(await harness.send(PARK, f"가게 {old}"))
    assert "서대문 국밥" in told and "바꿀까요?" in told
    assert "코드가 바뀌었어요" not in told


async def test_an_old_code_of_a_community_i_left_hides_no_shop(any_harness):
    """JUNG left 마포 long ago: 마포 떡집's old code, now 서대문 국밥's, opens 서대문 국밥 for
    him like for anyone (only the communities one is in hold their old codes back)."""
    harness = any_harness
    await _two_communities(harness)
    await harness.join(JUNG, "mapo")
    await harness.join(JUNG, "jongno")
    jung = await _actor(harness, JUNG)
    await _sql(harness, "UPDATE memberships SET status = 'left' WHERE person_id = ? AND"
                        " community_id = (SELECT id FROM communities WHERE code = 'mapo')",
               (jung.person.id,))
    old = (await shop_of(harness))["short_code"]
    await harness.services.organisations.rotate_codes(
        await _actor(harness, LEE), (await shop_of(harness))["id"])
    await _open_shop_in(harness, "seodaemun", "서대문 국밥", CHO, short_code=old)
    await _using_jongno(harness, JUNG)
    told = said(await harness.send(JUNG, f"가게 {old}"))
    assert "서대문 국밥 — seodaemun 품앗이의 가맹점이에요." in told
    assert "코드가 바뀌었어요" not in told


async def test_a_shop_still_applying_is_not_shown_in_its_community(any_harness):
    """A member of its community who types an applying (or rejected) shop's code or scans its
    QR is not shown its card (name, the applicant's phone); its owner still is."""
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await harness.services.organisations.apply(
        await _actor(harness, PARK), Profile(name="망원 국수", phone="010-1234-5678"))
    applying = await shop_of(harness)
    assert applying["status"] == "pending"
    for status in ("pending", "rejected"):
        await _sql(harness, "UPDATE organisations SET status = ? WHERE id = ?",
                   (status, applying["id"]))
        for opened in (f"가게 {applying['short_code']}", f"/start shop_{applying['token']}"):
            told = said(await harness.send(LEE, opened))
            assert "찾지 못했어요" in told, (status, opened)
            assert "망원 국수" not in told and "1234-5678" not in told
    await _sql(harness, "UPDATE organisations SET status = 'pending' WHERE id = ?",
               (applying["id"],))
    assert "망원 국수" in said(await harness.send(PARK, f"가게 {applying['short_code']}"))
    assert "망원 국수" in said(await harness.send(PARK, "/shop"))  # the owner's menu
    # an owner who has left the community is staff no more: its QR shows them nothing
    park = await _actor(harness, PARK)
    await _sql(harness, "UPDATE memberships SET status = 'left' WHERE person_id = ?",
               (park.person.id,))
    for opened in (f"가게 {applying['short_code']}", f"/start shop_{applying['token']}"):
        told = said(await harness.send(PARK, opened))
        assert "망원 국수" not in told and "1234-5678" not in told, told


async def test_an_applying_shops_code_does_not_hide_an_approved_shop_elsewhere(any_harness):
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await harness.services.organisations.apply(await _actor(harness, PARK),
                                               Profile(name="망원 국수"))
    code = (await shop_of(harness))["short_code"]
    await _open_shop_in(harness, "jongno", "종로 빵집", JUNG, short_code=code)
    told = said(await harness.send(LEE, f"가게 {code}"))
    assert "종로 빵집 — jongno 품앗이의 가맹점이에요." in told and "망원 국수" not in told


async def test_a_shop_of_another_community_ends_the_earlier_shops_bill_question(any_harness):
    """PARK opens 마포 떡집 (asked for the bill), then scans 종로 빵집 and is told he can't pay
    there: the next number is not taken as 마포 떡집's bill."""
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await _open_shop_in(harness, "jongno", "종로 빵집", JUNG)
    asked = said(await harness.send(PARK, f"/start shop_{(await shop_of(harness))['token']}"))
    assert "19800" in asked
    jongno = await _shop_named(harness, "종로 빵집")
    told = said(await harness.send(PARK, f"/start shop_{jongno['token']}"))
    assert "jongno 품앗이 회원만" in told
    await harness.send(PARK, "19800")
    assert await count_rows(harness.services, "merchant_payments") == 0


async def test_a_member_of_both_is_not_offered_the_switch_for_a_suspended_shop(any_harness):
    harness = any_harness
    await _two_communities(harness)
    await harness.join(PARK, "jongno")
    await _using_jongno(harness, PARK)
    shop = await shop_of(harness)
    await harness.services.organisations.set_status(
        await _actor(harness, KIM), shop["id"], False, "점검")
    for opened in (f"/start shop_{shop['token']}", f"가게 {shop['short_code']}"):
        calls = await harness.send(PARK, opened)
        told = said(calls)
        assert "마포 떡집 — 마포 품앗이의 가맹점이에요." in told
        assert "이 가게는 지금 품앗이를 받을 수 없어요" in told
        assert "바꿀까요" not in told
        assert not [data for call in calls for _, data in call.buttons
                    if data.startswith("mer:sw:")]


async def test_a_suspended_shop_or_an_unknown_code_ends_the_earlier_bill_question(any_harness):
    """In his own community PARK opens 마포 떡집 (asked for the bill), then a shop that can't
    take payments now, or a code that opens nothing: the next number is no one's bill."""
    harness = any_harness
    await open_community(harness, KIM, (LEE, PARK))
    await register_shop(harness)
    await harness.services.organisations.apply(await _actor(harness, KIM),
                                               Profile(name="망원 국수"))
    await _sql(harness, "UPDATE organisations SET status = 'suspended' WHERE name = '망원 국수'")
    suspended = await _shown_code(harness, "망원 국수")
    unknown = next(code for code in ("1000", "2000", "3000") if code != suspended)
    for opened in (f"가게 {suspended}", f"가게 {unknown}"):
        asked = said(await harness.send(PARK, f"/start shop_{(await shop_of(harness))['token']}"))
        assert "19800" in asked
        assert "19800" not in said(await harness.send(PARK, opened))
        await harness.send(PARK, "19800")
        assert await count_rows(harness.services, "merchant_payments") == 0, opened


async def _shown_code(harness, name: str) -> str:
    return (await _shop_named(harness, name))["short_code"]
