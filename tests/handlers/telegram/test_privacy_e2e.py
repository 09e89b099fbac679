"""Privacy, end to end: the joining notice and its consent, /leave after a coordinator's
/settle, /mydata with only the member's own rows, and /erase of a former member."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

from bot.updates import FakeUser
from core import privacy
from core.events import EventDraft
from core.privacy import NOTICE_VERSION
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import alerts, count_rows, texts

STRANGER = FakeUser(402, "지나가는사람", "stranger")


async def mapo(harness, *, approval: str = "auto", members=(LEE, PARK), unit: str = "문"):
    """마포: 김영희 coordinates (#1); the members join through the notice (#2, #3, …)."""
    await harness.services.membership.create_community(
        code="mapo", name="마포 품앗이", credit_floor=-300_000, approval="auto", unit=unit)
    await harness.services.membership.add_coordinator(
        code="mapo", channel="telegram", external_id=str(KIM.id))
    await harness.send(KIM, "/start")
    for user in members:
        await harness.join(user, "mapo")
    if approval != "auto":
        async with harness.services.db.write() as conn:
            await conn.execute("UPDATE communities SET approval = ? WHERE code = 'mapo'",
                               (approval,))


async def one(harness, sql: str, params=()):
    async with harness.services.db.read() as conn, conn.execute(sql, params) as cursor:
        return await cursor.fetchone()


async def status_of(harness, user: FakeUser) -> str | None:
    row = await one(harness, "SELECT m.status FROM memberships m JOIN identities i"
                             " ON i.person_id = m.person_id WHERE i.external_id = ?",
                    (str(user.id),))
    return row[0] if row else None


async def balance_of(harness, number: int) -> int:
    row = await one(harness, "SELECT a.balance FROM accounts a JOIN memberships m"
                             " ON m.id = a.membership_id WHERE m.number = ?", (number,))
    return row[0]


async def pay(harness, payer: FakeUser, ref: str, amount: int, memo: str = "") -> None:
    await harness.send(payer, f"/pay {ref} {amount} {memo}".strip())
    await harness.tap(payer, harness.button_data(payer, "보내기"))


async def community_sum(harness) -> int:
    return (await one(harness, "SELECT SUM(balance) FROM accounts"))[0]


# ----- the joining notice ------------------------------------------------------------------

async def test_join_shows_the_notice_and_joins_only_after_agreeing(harness):
    await mapo(harness, members=())
    calls = await harness.send(LEE, "/join mapo")
    shown = texts(calls)
    assert "개인정보 수집·이용 안내" in shown and "마포 품앗이" in shown
    assert "5년" in shown and "탈퇴 회원 #23" in shown and "/mydata" in shown
    assert [label for call in calls for label, _ in call.buttons] == [
        "✅ 동의하고 가입", "동의하지 않음"]
    assert await status_of(harness, LEE) is None

    # Declining creates nothing.
    calls = await harness.tap(LEE, harness.button_data(LEE, "동의하지 않음"))
    assert "가입하지 않았어요" in texts(calls) and "/join mapo" in texts(calls)
    assert await status_of(harness, LEE) is None
    assert await count_rows(harness.services, "consents") == 0

    # The invite link asks too; agreeing joins and records which notice, and when.
    calls = await harness.send(LEE, "/start join_mapo")
    assert "개인정보 수집·이용 안내" in texts(calls)
    calls = await harness.tap(LEE, harness.button_data(LEE, "동의하고 가입"))
    assert "동의하셨어요" in texts(calls) and "환영해요" in texts(calls) and "#2" in texts(calls)
    assert await status_of(harness, LEE) == "active"
    consent = await one(harness, "SELECT k.notice_version, k.accepted_at, m.number,"
                                 " m.decided_at FROM consents k JOIN memberships m"
                                 " ON m.id = k.membership_id")
    assert consent["notice_version"] == NOTICE_VERSION and consent["number"] == 2
    assert consent["accepted_at"] == consent["decided_at"]  # one transaction, one moment

    # A member is not asked again.
    calls = await harness.send(LEE, "/join mapo")
    assert "개인정보" not in texts(calls) and "이미" in texts(calls)


async def test_a_double_tap_on_agree_applies_once(harness):
    await mapo(harness, approval="coordinator", members=())
    await harness.send(STRANGER, "/join mapo")
    agree = harness.button_data(STRANGER, "동의하고 가입")
    before = len(harness.api.sent_to(KIM.id))
    first = await harness.tap(STRANGER, agree)
    second = await harness.tap(STRANGER, agree)
    assert "가입 신청을 전했어요" in texts(first)
    assert any("이미 동의하셨어요" in a for a in alerts(second))
    assert "가입 신청을 전했어요" not in texts(second)
    assert await status_of(harness, STRANGER) == "pending"
    assert await count_rows(harness.services, "consents") == 1
    asked = [c for c in harness.api.sent_to(KIM.id)[before:] if "가입을 신청했어요" in c.text]
    assert len(asked) == 1


async def test_agreeing_to_an_older_notice_shows_the_new_one_and_joins_no_one(harness):
    await mapo(harness, members=())
    await harness.send(LEE, "/start")
    calls = await harness.tap(LEE, "jn:ok:0:mapo")  # a notice from before the words changed
    assert any("안내문이 바뀌었어요" in a for a in alerts(calls))
    assert "개인정보 수집·이용 안내" in texts(calls)
    assert f"jn:ok:{NOTICE_VERSION}:mapo" in [data for c in calls for _, data in c.buttons]
    assert await status_of(harness, LEE) is None
    assert await count_rows(harness.services, "consents") == 0


# ----- leaving and settling ----------------------------------------------------------------

async def test_leave_waits_for_a_settlement_and_then_cancels_and_tells(harness):
    await mapo(harness)
    await pay(harness, LEE, "#3", 5000)  # 박민지 (#3) holds 5,000
    await harness.send(PARK, "/charge #2 1000 반찬")  # an open request
    await harness.services.market.create_post(
        await harness.services.people.resolve("telegram", str(PARK.id), PARK.first_name),
        kind="offer", category="food", title="김치 나눔", description="", price=1000,
        photo_file_id=None)

    calls = await harness.send(PARK, "/leave")
    blocked = texts(calls)
    assert "5,000문" in blocked and "/settle #3" in blocked and "김영희" in blocked
    assert not [b for c in calls for b in c.buttons]
    assert await status_of(harness, PARK) == "active"

    assert "운영위원만" in texts(await harness.send(LEE, "/settle #3 정산"))
    assert "사유" in texts(await harness.send(KIM, "/settle #3"))
    calls = await harness.send(KIM, "/settle #3 탈퇴 전 잔액 현금 정산")
    assert "잔액을 정리했어요" in texts(calls) and "/reverse T2" in texts(calls)
    assert "김영희" not in texts(calls) and "5,000문을 옮겼어요" in texts(calls)
    assert "5,000문이었고, 이제 0이에요" in harness.last_message_to(PARK).text
    assert await balance_of(harness, 3) == 0 and await community_sum(harness) == 0
    assert "이미 0이에요" in texts(await harness.send(KIM, "/settle #3 또 정산"))
    audit = texts(await harness.send(KIM, "/audit"))
    assert "잔액 정리" in audit and "탈퇴 전 잔액 현금 정산" in audit

    calls = await harness.send(PARK, "/leave")
    preview = texts(calls)
    assert "요청 1건이 취소돼요" in preview and "글 1개가 내려가요" in preview
    calls = await harness.tap(PARK, harness.button_data(PARK, "남기"))
    assert "회원으로 남아요" in texts(calls) and await status_of(harness, PARK) == "active"

    await harness.send(PARK, "/leave")
    leave = harness.button_data(PARK, "탈퇴하기")
    calls = await harness.tap(PARK, leave)
    assert "탈퇴했어요" in texts(calls)
    assert await status_of(harness, PARK) == "left"
    assert "탈퇴해서 이 요청은 취소됐어요" in harness.last_message_to(LEE).text
    assert "박민지 님이 마포 품앗이에서 탈퇴했어요" in harness.last_message_to(KIM).text
    assert (await one(harness, "SELECT status FROM trade_requests WHERE kind = 'charge'")
            )[0] == "cancelled"
    assert (await one(harness, "SELECT status FROM posts"))[0] == "closed"
    assert "김치 나눔" not in texts(await harness.send(LEE, "/market"))
    assert any("이미" in a for a in alerts(await harness.tap(PARK, leave)))  # a double tap
    assert "가입한 지역 품앗이가 없어요" in texts(await harness.send(PARK, "/balance"))
    assert "회원 탈퇴" in texts(await harness.send(KIM, "/audit"))
    report = await harness.services.verify()
    assert report.ok and await community_sum(harness) == 0


async def test_leaving_gives_back_fees_and_moves_the_waiting_list_up(harness):
    await mapo(harness, members=(LEE, PARK, CHOI))
    services = harness.services
    kim = await services.people.resolve("telegram", str(KIM.id), KIM.first_name)
    start = harness.clock.now() + timedelta(days=7)
    view = await services.events.create(kim, EventDraft(
        kind="study", title="품앗이 학당", starts_at=start, ends_at=start + timedelta(hours=2),
        capacity=1, fee=1000))
    lee = await services.people.resolve("telegram", str(LEE.id), LEE.first_name)
    park = await services.people.resolve("telegram", str(PARK.id), PARK.first_name)
    await services.events.sign_up(lee, view.event.id)  # 이철수 pays the fee: -1,000
    await services.events.sign_up(park, view.event.id, waitlist=True)
    assert await balance_of(harness, 2) == -1000

    preview = texts(await harness.send(LEE, "/leave"))
    assert "일정 신청 1건이 취소돼요" in preview and "1,000문" in preview
    calls = await harness.tap(LEE, harness.button_data(LEE, "탈퇴하기"))
    assert "탈퇴했어요" in texts(calls) and "참가비 1,000문 환불" in texts(calls)
    assert await balance_of(harness, 2) == 0  # the refund brought him to 0, so he could go
    assert await balance_of(harness, 3) == -1000  # 박민지 moved up and paid the fee
    assert "자리가 나서" in harness.last_message_to(PARK).text
    assert (await services.verify()).ok and await community_sum(harness) == 0


async def test_the_only_coordinator_cannot_leave(harness):
    await mapo(harness)
    calls = await harness.send(KIM, "/leave")
    assert "운영위원이 나 혼자예요" in texts(calls) and "/promote" in texts(calls)
    assert "문의해 주세요" not in texts(calls)  # no one else to ask
    assert await status_of(harness, KIM) == "active"


async def test_a_member_who_left_can_come_back_with_the_same_number(harness):
    await mapo(harness)
    await harness.send(LEE, "/leave")
    await harness.tap(LEE, harness.button_data(LEE, "탈퇴하기"))
    calls = await harness.join(LEE, "mapo")  # asked again: no longer a member
    assert "개인정보 수집·이용 안내" in texts(calls) and "#2" in texts(calls)
    assert await status_of(harness, LEE) == "active"
    assert await count_rows(harness.services, "consents") == 3  # 이철수 twice, 박민지 once


# ----- /mydata -----------------------------------------------------------------------------

def unzip(calls) -> dict[str, list[list[str]]]:
    document = next(c for c in calls if c.method == "sendDocument")
    (content,) = document.files.values()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = {}
        for name in archive.namelist():
            raw = archive.read(name)
            assert raw.startswith(b"\xef\xbb\xbf"), name  # UTF-8 with BOM, for Excel
            sheets[name] = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    return sheets


async def test_mydata_holds_the_members_own_rows_and_no_one_elses(harness):
    await mapo(harness, members=(LEE, PARK, CHOI))
    await pay(harness, LEE, "#3", 700, "=HYPERLINK(떡값)")  # T1: 이철수 → 박민지
    await pay(harness, PARK, "#4", 300, "책값")  # T2: 박민지 → 최수진, not 이철수's
    services = harness.services
    for user, title in ((LEE, "이철수의 반찬"), (PARK, "박민지의 책")):
        await services.market.create_post(
            await services.people.resolve("telegram", str(user.id), user.first_name),
            kind="offer", category="food", title=title, description="", price=100,
            photo_file_id=None)

    calls = await harness.send(LEE, "/mydata")
    assert "내 정보" in texts(calls)
    sheets = unzip(calls)
    assert set(sheets) == {"profile.csv", "memberships.csv", "trades.csv", "posts.csv",
                           "signups.csv", "surveys.csv", "survey_answers.csv"}
    everything = "\n".join(",".join(row) for rows in sheets.values() for row in rows)
    assert "이철수" in everything and str(LEE.id) in everything and "@chulsoo" in everything
    trades = sheets["trades.csv"][1:]
    assert [row[0] for row in trades] == ["T1"]
    assert trades[0][4] == "-700" and "#3" not in trades[0][6]
    assert trades[0][6] == "이철수" and trades[0][8] == "박민지"  # as his statement shows
    assert trades[0][9] == "'=HYPERLINK(떡값)"  # stays text in a spreadsheet
    assert [row[5] for row in sheets["posts.csv"][1:]] == ["이철수의 반찬"]
    memberships = sheets["memberships.csv"][1:]
    assert [row[0] for row in memberships] == ["mapo"] and memberships[0][10] == NOTICE_VERSION
    for other in ("최수진", "책값", "박민지의 책", str(PARK.id), str(CHOI.id), "minji"):
        assert other not in everything, other


async def test_mydata_is_cut_at_its_limit_and_says_so(harness, monkeypatch):
    monkeypatch.setattr(privacy, "MY_DATA_ROWS", 1)
    await mapo(harness)
    await pay(harness, LEE, "#3", 100)
    await pay(harness, LEE, "#3", 200)
    calls = await harness.send(LEE, "/mydata")
    trades = unzip(calls)["trades.csv"][1:]
    assert trades[0][0] == "T1" and len(trades) == 2 and trades[1][0].startswith("…")
    assert "1줄은 넣지 못했어요" in texts(calls)


# ----- erasing a former member ------------------------------------------------------------

async def test_erase_removes_the_name_and_identity_everywhere_and_keeps_the_ledger(harness):
    await mapo(harness)
    await pay(harness, PARK, "#2", 3000, "반찬값")
    await pay(harness, LEE, "#3", 3000, "책값")
    await harness.services.market.create_post(
        await harness.services.people.resolve("telegram", str(PARK.id), PARK.first_name),
        kind="offer", category="goods", title="박민지 책 나눔", description="연락 주세요",
        price=100, photo_file_id=None)
    assert "박민지" in texts(await harness.send(LEE, "/history"))

    assert "아직 회원이에요" in texts(await harness.send(KIM, "/erase #3 요청"))
    await harness.send(PARK, "/leave")
    await harness.tap(PARK, harness.button_data(PARK, "탈퇴하기"))
    transfers = await count_rows(harness.services, "transfers")
    movements = await count_rows(harness.services, "movements")

    assert "운영위원만" in texts(await harness.send(LEE, "/erase #3 요청"))
    calls = await harness.send(KIM, "/erase #3 본인이 전화로 요청")
    assert "박민지" in texts(calls) and "되돌릴 수 없어요" in texts(calls)
    erase = harness.button_data(KIM, "지우기")
    assert any("없어요" in a for a in alerts(await harness.tap(LEE, erase)))  # not LEE's
    assert (await one(harness, "SELECT erased_at FROM people WHERE display_name = '박민지'"))
    calls = await harness.tap(KIM, erase)
    assert "지웠어요" in texts(calls) and "탈퇴 회원 #3" in texts(calls)
    assert any("이미" in a for a in alerts(await harness.tap(KIM, erase)))  # a double tap

    person = await one(harness, "SELECT p.* FROM people p JOIN memberships m"
                                " ON m.person_id = p.id WHERE m.number = 3")
    assert person["display_name"] == "" and person["username"] is None
    assert person["erased_at"] is not None
    assert await one(harness, "SELECT 1 FROM identities WHERE person_id = ?",
                     (person["id"],)) is None
    post = await one(harness, "SELECT title, description, status FROM posts")
    assert tuple(post) == ("", "", "closed")

    history = texts(await harness.send(LEE, "/history"))
    assert "탈퇴 회원 #3" in history and "박민지" not in history
    assert "탈퇴 회원 #3" in texts(await harness.send(KIM, "/history #2"))
    members = texts(await harness.send(KIM, "/members")) + texts(
        await harness.send(KIM, "/members 박민지"))
    assert "박민지" not in members and "minji" not in members
    audit = texts(await harness.send(KIM, "/audit"))
    assert "탈퇴 회원 #3" in audit and "탈퇴 회원 정보 지움" in audit and "박민지" not in audit
    exported = await harness.send(KIM, "/export")
    files = b"".join(content for c in exported for content in c.files.values())
    assert files and "탈퇴 회원 #3".encode() in files
    for gone in ("박민지", "minji", "책 나눔", "연락 주세요"):
        assert gone.encode() not in files, gone

    # The ledger keeps every row and still adds up.
    assert await count_rows(harness.services, "transfers") == transfers
    assert await count_rows(harness.services, "movements") == movements
    report = await harness.services.verify()
    assert report.ok and await community_sum(harness) == 0

    # The same Telegram account is now a stranger: a new person, not a member.
    calls = await harness.send(PARK, "/balance")
    assert "가입한 지역 품앗이가 없어요" in texts(calls)
    assert (await one(harness, "SELECT COUNT(*) FROM people WHERE display_name = '박민지'")
            )[0] == 1


async def test_a_settlement_says_the_particle_its_unit_takes(harness):
    """A unit ending in a vowel takes 를 and 였, not the 을 and 이었 that 문 takes."""
    await mapo(harness, unit="포인트")
    await pay(harness, LEE, "#3", 700)
    calls = await harness.send(KIM, "/settle #3 탈퇴 정산")
    assert "700포인트를 옮겼어요" in texts(calls)
    assert "700포인트였고, 이제 0이에요" in harness.last_message_to(PARK).text


async def test_erase_waits_until_a_former_members_balance_is_settled_again(harness):
    await mapo(harness)
    await pay(harness, LEE, "#3", 500)  # T1
    await harness.send(KIM, "/settle #3 탈퇴 정산")  # T2: 박민지 → the community account
    await harness.send(PARK, "/leave")
    await harness.tap(PARK, harness.button_data(PARK, "탈퇴하기"))
    # Reversing the settlement after she left gives her 500 again.
    await harness.send(KIM, "/reverse T2 잘못 정산")
    await harness.tap(KIM, harness.button_data(KIM, "↩️"))
    assert await balance_of(harness, 3) == 500

    assert "사용법" in texts(await harness.send(KIM, "/erase"))
    assert "사유" in texts(await harness.send(KIM, "/erase #3"))
    calls = await harness.send(KIM, "/erase #3 요청")
    assert "잔액이 0이 아니에요" in texts(calls) and "/settle #3" in texts(calls)
    assert not [b for c in calls for b in c.buttons]
    await harness.send(KIM, "/settle #3 다시 정산")  # a former member's balance, settled
    assert await balance_of(harness, 3) == 0
    await harness.send(KIM, "/erase #3 요청")
    calls = await harness.tap(KIM, harness.button_data(KIM, "지우기"))
    assert "지웠어요" in texts(calls)
    assert (await harness.services.verify()).ok and await community_sum(harness) == 0
