from tests.conftest import KIM, LEE, PARK
from tests.support import texts


async def community(harness):
    await harness.services.membership.create_community(code="mapo", name="마포 품앗이")
    await harness.services.membership.add_coordinator(code="mapo", channel="telegram",
                                                      external_id=str(KIM.id))
    await harness.send(KIM, "/start")
    for user in (LEE, PARK):
        await harness.send(user, "/join mapo")
    await harness.send(LEE, "/pay #3 700")
    await harness.tap(LEE, harness.button_data(LEE, "보내기"))


async def test_member_list_search_and_activity(harness):
    await community(harness)
    listing = texts(await harness.send(KIM, "/members"))
    assert "#1 김영희 ⭐" in listing and "#2 이철수" in listing and "-700문" in listing
    assert "거래 없음" in listing  # 김영희 has not traded
    found = texts(await harness.send(KIM, "/members 박민"))
    assert "#3 박민지" in found and "이철수" not in found
    assert "운영위원만" in texts(await harness.send(LEE, "/members"))


async def test_suspend_reactivate_limit_promote_all_audited(harness):
    await community(harness)
    await harness.send(PARK, "/offer")
    await harness.tap(PARK, "dlg:cat:goods")
    await harness.send(PARK, "화분 나눔")
    await harness.tap(PARK, "dlg:skip")
    await harness.tap(PARK, "dlg:nego")
    await harness.tap(PARK, "dlg:skip")
    await harness.tap(PARK, "dlg:publish")

    assert "사유를 함께" in texts(await harness.send(KIM, "/suspend #3"))
    calls = await harness.send(KIM, "/suspend #3 장기 미활동 확인")
    assert "정지했어요" in texts(calls)
    assert "정지했어요" in harness.last_message_to(PARK).text
    assert "화분 나눔" not in texts(await harness.send(LEE, "/market"))
    assert "거래할 수 없어요" in texts(await harness.send(LEE, "/pay #3 100"))
    await harness.send(KIM, "/reactivate #3 확인 완료")
    assert "화분 나눔" in texts(await harness.send(LEE, "/market"))

    calls = await harness.send(KIM, "/limit #2 -1000 - 연체 관리")
    assert "한도를 바꿨어요" in texts(calls)
    assert "잔액 한도: -1,000문" in texts(await harness.send(LEE, "/balance"))
    assert "쓸 수 있는 한도를 넘어요" in texts(await harness.send(LEE, "/pay #3 400"))

    await harness.send(KIM, "/promote #2")
    assert "운영위원이 되셨어요" in harness.last_message_to(LEE).text
    assert "회원 목록" in texts(await harness.send(LEE, "/members"))

    log = texts(await harness.send(KIM, "/audit"))
    for action in ("member_suspend", "member_reactivate", "limit_change", "member_promote"):
        assert action in log
    assert "장기 미활동 확인" in log and "연체 관리" in log
