"""A survey from import to results on Telegram: imported, sent from /surveys, answered by
three members (one stops and resumes, one double-taps and has an update replayed), reminded
once before it closes, results and chart data against a hand count, the files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from bot.survey_cli import read_spec
from conversation.survey_chart import chart_series
from tests.conftest import CHOI, KIM, LEE, PARK
from tests.support import alerts, count_rows, open_community, texts

NAMED = """
title: 마포 품앗이 만족도
anonymous: false
audience: all
closes: 2026-03-10
questions:
  - kind: scale
    text: 품앗이에 만족하세요?
  - kind: choice
    text: 얼마나 자주 거래하세요?
    options: [매주, 매달, 가끔]
  - kind: multi
    text: 좋은 점을 모두 골라 주세요
    options: [이웃, 절약, 나눔]
  - kind: text
    text: 한마디 해 주세요
    optional: true
"""


async def imported(harness, tmp_path, text: str) -> int:
    path = tmp_path / "survey.yaml"
    path.write_text(text, encoding="utf-8")
    survey = await harness.services.surveys.create(None, await read_spec(str(path)),
                                                  community_code="mapo")
    return survey.id


async def send_from_menu(harness, survey_id: int) -> str:
    menu = texts(await harness.send(KIM, "/surveys"))
    assert f"S{survey_id}" in menu
    await harness.tap(KIM, f"svya:v:{survey_id}")
    preview = texts(await harness.tap(KIM, f"svya:send:{survey_id}"))
    sent = texts(await harness.tap(KIM, f"svya:ok:{survey_id}"))
    await harness.deliver_notices()
    return preview + "\n" + sent


async def tap_label(harness, user, label: str):
    return await harness.tap(user, harness.button_data(user, label))


async def test_imported_sent_answered_reminded_once_and_counted(harness, tmp_path):
    await open_community(harness, KIM, (LEE, PARK, CHOI))
    survey_id = await imported(harness, tmp_path, NAMED)
    shown = await send_from_menu(harness, survey_id)
    assert "4명" in shown  # the coordinator is a member of the audience too
    for user in (LEE, PARK, CHOI):
        assert "마포 품앗이 만족도" in harness.last_message_to(user).text
    # the double tap of Send sends nothing more
    assert "이미 보냈어요" in alerts(await harness.tap(KIM, f"svya:ok:{survey_id}"))[0]
    assert await count_rows(harness.services, "outbox") == 4

    # the invitation's button starts the survey; 이철수 answers two questions, stops, and
    # later resumes at the third
    assert harness.last_message_to(LEE).buttons == [("📋 설문에 답하기", f"svy:go:{survey_id}")]
    assert "(1/4)" in texts(await tap_label(harness, LEE, "설문에 답하기"))
    await tap_label(harness, LEE, "4")
    await tap_label(harness, LEE, "매달")
    assert "저장했어요" in texts(await tap_label(harness, LEE, "나중에"))

    # 박민지 double-taps her answers, and Telegram delivers one update twice
    await harness.send(PARK, "/survey")
    five = harness.button_data(PARK, "5")
    await harness.tap(PARK, five)
    again = await harness.tap(PARK, five)
    assert "이미 답하셨어요" in " ".join(alerts(again))
    await tap_label(harness, PARK, "매주")
    await tap_label(harness, PARK, "이웃")
    await tap_label(harness, PARK, "나눔")
    await tap_label(harness, PARK, "나눔")  # shown ticked: the tap unticks it
    await tap_label(harness, PARK, "절약")
    await tap_label(harness, PARK, "완료")
    await harness.send(PARK, "이웃을 많이 알게 됐어요")
    assert "고맙습니다" in harness.last_message_to(PARK).text
    replay = await harness.process(harness.history[-1])
    assert not texts(replay)
    assert await count_rows(harness.services, "survey_answers") == 2 + 4

    # Choi answers in English and skips the optional question
    await harness.send(CHOI, "/survey")
    await tap_label(harness, CHOI, "5")
    await tap_label(harness, CHOI, "매주")
    await tap_label(harness, CHOI, "이웃")
    await tap_label(harness, CHOI, "Done")
    assert "Thank you" in texts(await tap_label(harness, CHOI, "Skip"))

    # the reminder, once, to those who have not finished (이철수 and the coordinator)
    harness.clock.advance(datetime(2026, 3, 10, 2, 0, tzinfo=UTC) - harness.clock.now())
    await harness.sweep()
    for user in (LEE, KIM):
        assert "마감돼요" in harness.last_message_to(user).text
    assert not any("마감돼요" in call.text for call in harness.sent_to(PARK))
    before = len(harness.api.calls)
    await harness.sweep()
    assert not [c for c in harness.api.calls[before:] if "마감돼요" in c.text]

    calls = await tap_label(harness, LEE, "설문에 답하기")
    assert "(3/4)" in texts(calls)
    await tap_label(harness, LEE, "절약")
    await tap_label(harness, LEE, "완료")
    await harness.send(LEE, "좋아요")
    assert "고맙습니다" in harness.last_message_to(LEE).text

    # results against the hand count
    results = await harness.services.survey_results.results(
        await harness.services.surveys.get(None, survey_id))
    assert (results.invited, results.started, results.finished) == (4, 3, 3)
    scale, choice, multi, text = results.questions
    assert dict(scale.counts) == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 2}
    assert scale.mean == (4 + 5 + 5) / 3
    assert choice.counts == (("매주", 2), ("매달", 1), ("가끔", 0))
    assert multi.counts == (("이웃", 2), ("절약", 2), ("나눔", 0))
    assert text.answers == 2 and text.skipped == 1
    assert set(text.texts) == {("박민지 #3", "이웃을 많이 알게 됐어요"), ("이철수 #2", "좋아요")}
    assert chart_series(results)[1] == ("얼마나 자주 거래하세요?",
                                        [("매주", 2), ("매달", 1), ("가끔", 0)])
    shown = await harness.tap(KIM, f"svya:res:{survey_id}")
    said = texts(shown)
    assert "평균 4.67점" in said and "매주: 2" in said
    assert "이웃을 많이 알게 됐어요 (박민지 #3)" in said
    assert [c.method for c in shown].count("sendPhoto") == 1
    files = await harness.tap(KIM, f"svya:file:{survey_id}")
    uploads = {name: content for c in files if c.method == "sendDocument"
               for name, content in c.files.items()}
    assert set(uploads) == {f"mapo-survey-{survey_id}.csv",
                            f"mapo-survey-{survey_id}-answers.csv",
                            f"mapo-survey-{survey_id}.xlsx"}
    rows = list(csv.reader(io.StringIO(uploads[f"mapo-survey-{survey_id}.csv"]
                                       .decode("utf-8-sig"))))
    assert ["2", "얼마나 자주 거래하세요?", "하나 고르기", "매주", "2"] in rows


SCHEDULED = """
title: 봄 설문
opens: 2026-03-05
closes: 2026-03-06
questions:
  - kind: scale
    text: 만족하세요?
"""


async def test_a_scheduled_survey_opens_on_its_day_and_closes_after_its_last(harness, tmp_path):
    await open_community(harness, KIM, (LEE,))
    survey_id = await imported(harness, tmp_path, SCHEDULED)
    await harness.sweep()
    await harness.deliver_notices()
    assert not any("봄 설문" in call.text for call in harness.sent_to(LEE))
    # 2026-03-05 09:00 in Seoul
    harness.clock.advance(datetime(2026, 3, 5, 0, 0, tzinfo=UTC) - harness.clock.now())
    await harness.sweep()
    await harness.sweep()  # a second sweep sends nothing more
    await harness.deliver_notices()
    assert sum("봄 설문" in call.text for call in harness.sent_to(LEE)) == 1
    await harness.send(LEE, "/survey")
    # after the end of its closing day (midnight in Seoul) it closes
    harness.clock.advance(datetime(2026, 3, 6, 15, 0, tzinfo=UTC) - harness.clock.now())
    await harness.sweep()
    assert "마감됐어요" in " ".join(alerts(await tap_label(harness, LEE, "4")))
    survey = await harness.services.surveys.get(None, survey_id)
    assert survey.status == "closed" and survey.closed_at == datetime(2026, 3, 6, 15, 0,
                                                                      tzinfo=UTC)
