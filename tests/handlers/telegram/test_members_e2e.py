import re
from pathlib import Path

from storage import audit as audit_rows
from storage.timefmt import to_db
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import texts


async def community(harness):
    await harness.services.membership.create_community(code="mapo", name="마포 품앗이",
                                                       credit_floor=-300_000, approval="auto")
    await harness.services.membership.add_coordinator(code="mapo", channel="telegram",
                                                      external_id=str(KIM.id))
    await harness.send(KIM, "/start")
    for user in (LEE, PARK):
        await harness.join(user, "mapo")
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
    for action in ("회원 정지", "정지 해제", "한도 변경", "운영위원 승격"):
        assert action in log
    assert "장기 미활동 확인" in log and "연체 관리" in log and "#3 박민지" in log


async def test_limit_tells_the_member_and_shows_the_coordinator_the_new_limits(harness):
    await community(harness)
    await harness.join(CHOI, "mapo")  # #4, reads English

    calls = await harness.send(KIM, "/limit #2 -1000 - 연체 관리")
    reply = texts([call for call in calls if call.params.get("chat_id") == KIM.id])
    assert "#2 이철수 님의 한도를 바꿨어요" in reply
    assert "잔액 한도: -1,000문 ~ 1,000,000문" in reply  # the ceiling is the community's
    assert "/balance" not in reply and "회원에게도 알렸어요" in reply
    told = harness.last_message_to(LEE).text
    assert "운영위원이 회원님의 잔액 한도를 바꿨어요" in told
    assert "잔액 한도: -1,000문 ~ 1,000,000문" in told and "사유: 연체 관리" in told

    await harness.send(KIM, "/limit #4 50000 200000 <b>new</b>")
    told = harness.last_message_to(CHOI).text
    assert "A coordinator changed your credit limits." in told
    assert "Your balance can go from -50,000 문 to 200,000 문" in told
    assert "Reason: &lt;b&gt;new&lt;/b&gt;" in told


async def test_each_member_command_shows_its_own_usage(harness):
    await community(harness)
    for command, example in (("/suspend #2", "/suspend #23"),
                             ("/suspend #2 x", "/suspend #23"),
                             ("/reactivate", "/reactivate #23"),
                             ("/reactivate #2", "/reactivate #23"),
                             ("/limit #2 -1000", "/limit #23"),
                             ("/limit #2 -1000 -", "/limit #23"),
                             ("/promote", "/promote #")):
        reply = texts(await harness.send(KIM, command))
        assert "사용법: " + example in reply and "예:" in reply, command
        assert "/reverse" not in reply, command
    assert "정지" not in harness.last_message_to(LEE).text  # nothing was changed


def _audit_actions() -> set[str]:
    """Every audit action the core writes, read from its source."""
    actions = set()
    for path in Path("core").glob("*.py"):
        for line in path.read_text().splitlines():
            if "action=" in line:
                actions.update(re.findall(r'"([a-z]+(?:_[a-z]+)+)"', line))
    return actions


async def test_audit_shows_words_for_every_action_and_target(harness):
    await community(harness)
    services = harness.services
    actions = _audit_actions()
    assert {"notice_send", "member_suspend", "transfer_reverse", "event_import"} <= actions
    async with services.db.read() as conn, conn.execute(
            "SELECT m.id FROM memberships m JOIN people p ON p.id = m.person_id"
            " WHERE m.number = 3") as cursor:
        park = (await cursor.fetchone())[0]
    targets = [f"membership:{park}", "transfer:1", "notice:7", "chat:-100123", "event:99",
               "mapo", None]
    async with services.db.write() as conn:
        for index, action in enumerate(sorted(actions)):
            await audit_rows.record(conn, community_id=1, actor_person_id=None, action=action,
                                    target=targets[index % len(targets)], reason=None,
                                    details=None, now=to_db(services.clock.now()))
    calls = await harness.send(KIM, "/audit")
    log = texts(calls)
    while (more := [d for c in calls for label, d in c.buttons if d.startswith("aud:")
                    and "▶" in label]):
        calls = await harness.tap(KIM, more[-1])  # every page, not just the first
        log += "\n" + texts(calls)
    for code in actions | {"membership:", "transfer:", "notice:", "chat:", "event:"}:
        assert code not in log, code
    assert "공지 보내기" in log and "#3 박민지" in log and "T1" in log and "N7" in log
    assert "단체방" in log
