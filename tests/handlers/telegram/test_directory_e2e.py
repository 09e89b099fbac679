"""The member directory for members (/directory, the 👥 이웃 menu): names and numbers by
default, what each member chose to show, never anyone of another community or not active."""

from __future__ import annotations

from bot.updates import FakeUser
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.handlers.telegram.neighbourhood import membership_of, post_offer, world
from tests.support import alerts, texts


async def test_by_default_only_names_and_numbers(harness):
    await world(harness)
    await post_offer(harness, LEE, "떡 나눔")
    listing = texts(await harness.send(PARK, "👥 이웃"))
    assert "마포 품앗이 회원" in listing
    assert "#1 <b>김영희</b>" in listing and "#2 <b>이철수</b>" in listing
    assert "#3 <b>박민지</b> (본인)" in listing
    assert "떡 나눔" not in listing
    for hidden in ("younghee", "chulsoo", str(LEE.id), str(KIM.id)):
        assert hidden not in listing
    entry = await harness.tap(PARK, harness.button_data(PARK, "#2 이철수"))
    assert "이철수" in texts(entry) and "떡 나눔" not in texts(entry)
    assert [label for call in entry for label, _ in call.buttons] == ["✉️ 연락하기"]
    # Searching does not find what a member keeps hidden.
    assert "이철수" not in texts(await harness.send(PARK, "/directory 떡"))
    assert "이철수" in texts(await harness.send(PARK, "/directory 철수"))
    assert "이철수" in texts(await harness.send(PARK, "/directory #2"))


async def test_a_member_who_opts_in_shows_offers_and_introduction(harness):
    await world(harness)
    post_id = await post_offer(harness, LEE, "떡 나눔")
    settings = texts(await harness.send(LEE, "/settings"))
    assert "회원 목록: 이름과 번호만 보여요" in settings
    assert "연락하기 메시지 받기: 켜짐" in settings
    shown = await harness.tap(LEE, harness.button_data(LEE, "드려요 글과 소개 보이기"))
    assert "회원 목록: 드려요 글과 소개도 보여요" in texts(shown)
    await harness.tap(LEE, harness.button_data(LEE, "소개 쓰기"))
    assert "저장했어요" in texts(await harness.send(LEE, "  떡을   잘 만들어요 "))

    listing = texts(await harness.send(PARK, "/directory"))
    assert "🎁 떡 나눔" in listing and "💬 떡을 잘 만들어요" in listing
    assert "이철수" in texts(await harness.send(PARK, "/directory 떡"))
    entry = await harness.tap(PARK, harness.button_data(PARK, "#2 이철수"))
    assert "떡을 잘 만들어요" in texts(entry)
    assert harness.button_data(PARK, "🎁 떡 나눔") == f"post:v:{post_id}"

    await harness.send(LEE, "/settings")
    await harness.tap(LEE, harness.button_data(LEE, "이름만 보이기"))
    listing = texts(await harness.send(PARK, "/directory"))
    assert "떡 나눔" not in listing and "떡을 잘 만들어요" not in listing


async def test_an_introduction_too_long_is_refused_and_can_be_removed(harness):
    await world(harness)
    await harness.send(LEE, "/settings")
    await harness.tap(LEE, harness.button_data(LEE, "소개 쓰기"))
    assert "80자 안으로" in texts(await harness.send(LEE, "가" * 81))
    await harness.send(LEE, "<b>반찬</b> & 수리")
    settings = texts(await harness.send(LEE, "/settings"))
    assert "소개: &lt;b&gt;반찬&lt;/b&gt; &amp; 수리" in settings
    await harness.tap(LEE, harness.button_data(LEE, "소개 고치기"))
    assert "소개를 지웠어요" in texts(await harness.send(LEE, "-"))
    assert "소개:" not in texts(await harness.send(LEE, "/settings"))


async def test_never_another_community_nor_pending_or_suspended_members(harness):
    await world(harness)
    async with harness.services.db.write() as conn:
        await conn.execute("UPDATE communities SET approval = 'coordinator' WHERE code = 'mapo'")
    applicant = FakeUser(150, "신청자", "applicant")
    await harness.join(applicant, "mapo")
    await harness.send(KIM, "/suspend #3 장기 미활동")

    listing = texts(await harness.send(LEE, "/directory"))
    assert "김영희" in listing and "이철수" in listing
    for absent in ("최수진", "신청자", "박민지"):
        assert absent not in listing
    assert "찾는 회원이 없어요" in texts(await harness.send(LEE, "/directory 최수진"))
    # A forged button for a member of another community, or one suspended, shows nothing.
    for forged in (await membership_of(harness, CHOI, "gangnam"),
                   await membership_of(harness, PARK)):
        calls = await harness.tap(LEE, f"dir:v:{forged}")
        assert any("회원 목록에 없어요" in alert for alert in alerts(calls))
        assert not [c for c in calls if c.method == "sendMessage"]

    gangnam = texts(await harness.send(CHOI, "/directory"))
    assert "강남 품앗이" in gangnam and "최수진" in gangnam and "김영희" not in gangnam
    # The suspended member cannot read the directory either.
    assert "정지" in texts(await harness.send(PARK, "/directory"))


async def test_pages_stay_inside_telegram_limits(harness):
    await world(harness)
    services = harness.services
    for index in range(25):
        actor = await services.people.resolve("telegram", str(500 + index),
                                              f"아주긴이름{index:02d}" + "가" * 60)
        await services.membership.join(actor, "mapo")
    await harness.send(LEE, "/settings")
    await harness.tap(LEE, harness.button_data(LEE, "드려요 글과 소개 보이기"))
    for index in range(5):
        await post_offer(harness, LEE, f"{index}번 " + "나눔" * 28)

    first = await harness.send(LEE, "/directory")
    assert "#1 " in texts(first) and "#10 " in texts(first) and "#11 " not in texts(first)
    assert texts(first).count("🎁") == 1  # three offers at most, on one line
    second = await harness.tap(LEE, harness.button_data(LEE, "다음"))
    assert "#11 " in texts(second) and "#20 " in texts(second) and "2쪽" in texts(second)
    third = await harness.tap(LEE, harness.button_data(LEE, "다음"))
    assert "#28 " in texts(third) and not [
        label for call in third for label, _ in call.buttons if "다음" in label]
    searched = await harness.send(LEE, "/directory 아주긴이름")
    assert "#4 " in texts(searched)
    page = await harness.tap(LEE, harness.button_data(LEE, "다음"))
    assert "“아주긴이름”" in texts(page) and "#14 " in texts(page)


async def test_help_and_menu_show_the_directory(harness):
    await world(harness)
    calls = await harness.send(LEE, "/help")
    assert "/directory" in texts(calls)
    menu = [c for c in calls if c.params.get("reply_markup")][-1].params["reply_markup"]
    assert "👥 이웃" in str(menu)
