"""`pumasi survey import` (YAML, CSV, the shipped template; --send) and `pumasi survey
results` writing the files."""

from __future__ import annotations

import asyncio
import sqlite3

from bot.cli import main
from core.services import Services

YAML = """title: 마포 만족도
anonymous: false
closes: 2099-12-31
questions:
  - kind: scale
    text: 만족하세요?
  - kind: choice
    text: 얼마나 자주?
    options: [매주, 매달]
  - kind: multi
    text: 좋은 점
    options: [이웃, 절약, 나눔]
    optional: true
  - kind: text
    text: 한마디
    optional: true
"""
CSV = """kind,text,options,optional
scale,만족하세요?,,
choice,얼마나 자주?,매주|매달,no
multi,좋은 점,이웃|절약|나눔,yes
text,한마디,,yes
"""


def setup(monkeypatch, tmp_path):
    monkeypatch.setenv("PUMASI_DB", str(tmp_path / "s.db"))
    assert main(["community", "create", "--code", "mapo", "--name", "마포"]) == 0
    assert main(["coordinator", "add", "--community", "mapo", "--telegram-id", "7"]) == 0


def questions(tmp_path, survey_id: int) -> list[tuple]:
    with sqlite3.connect(tmp_path / "s.db") as conn:
        return conn.execute("SELECT position, kind, text, options, optional FROM"
                            " survey_questions WHERE survey_id = ? ORDER BY position",
                            (survey_id,)).fetchall()


def test_yaml_and_csv_import_the_same_questions(monkeypatch, tmp_path, capsys):
    setup(monkeypatch, tmp_path)
    (tmp_path / "s.yaml").write_text(YAML, encoding="utf-8")
    (tmp_path / "s.csv").write_text(CSV, encoding="utf-8-sig")
    assert main(["survey", "import", str(tmp_path / "s.yaml"), "--community", "mapo"]) == 0
    assert "S1 설문 “마포 만족도”(질문 4개)을 가져왔어요" in capsys.readouterr().out
    assert main(["survey", "import", str(tmp_path / "s.csv"), "--community", "mapo",
                 "--title", "마포 만족도", "--named"]) == 0
    assert questions(tmp_path, 1) == questions(tmp_path, 2) and len(questions(tmp_path, 1)) == 4
    assert main(["survey", "import", "trust_community", "--community", "mapo"]) == 0
    assert len(questions(tmp_path, 3)) == 10


def test_a_bad_file_is_refused_with_the_question_named(monkeypatch, tmp_path, capsys):
    setup(monkeypatch, tmp_path)
    (tmp_path / "bad.yaml").write_text(YAML.replace("kind: choice", "kind: pick"), "utf-8")
    assert main(["survey", "import", str(tmp_path / "bad.yaml"), "--community", "mapo"]) == 1
    assert "질문 2" in capsys.readouterr().err
    with sqlite3.connect(tmp_path / "s.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM surveys").fetchone()[0] == 0


def test_a_typo_in_a_key_is_refused_naming_it(monkeypatch, tmp_path, capsys):
    setup(monkeypatch, tmp_path)
    (tmp_path / "typo.yaml").write_text(YAML.replace("closes:", "closes_at:"), "utf-8")
    assert main(["survey", "import", str(tmp_path / "typo.yaml"), "--community", "mapo"]) == 1
    err = capsys.readouterr().err
    assert "모르는 항목 “closes_at”" in err and "title, anonymous" in err
    assert "혹시 “closes”을(를) 쓰려고 하셨나요?" in err
    (tmp_path / "typo.yaml").write_text(YAML.replace("    optional: true", "    optinal: true",
                                                     1), "utf-8")
    assert main(["survey", "import", str(tmp_path / "typo.yaml"), "--community", "mapo"]) == 1
    assert "질문 3: 모르는 항목 “optinal”" in capsys.readouterr().err
    (tmp_path / "typo.csv").write_text(CSV.replace("optional", "optionnal", 1), "utf-8")
    assert main(["survey", "import", str(tmp_path / "typo.csv"), "--community", "mapo"]) == 1
    err = capsys.readouterr().err
    assert "CSV에 모르는 열 “optionnal”" in err and "kind, text, options, optional" in err
    with sqlite3.connect(tmp_path / "s.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM surveys").fetchone()[0] == 0


async def answer_as_coordinator(tmp_path) -> None:
    services = await Services.open(tmp_path / "s.db")
    try:
        actor = await services.people.resolve("telegram", "7", "김운영")
        progress = await services.survey_answers.begin(actor, 1)
        await services.survey_answers.answer(actor, 1, progress.question.id, value=4)
        progress = await services.survey_answers.answer(actor, 1, progress.question.id + 1,
                                                        value=1)
        await services.survey_answers.answer(actor, 1, progress.question.id, skip=True)
        await services.survey_answers.answer(actor, 1, progress.question.id + 1, text="좋아요")
    finally:
        await services.close()


def test_import_send_and_write_the_results(monkeypatch, tmp_path, capsys):
    from openpyxl import load_workbook

    setup(monkeypatch, tmp_path)
    (tmp_path / "s.yaml").write_text(YAML, encoding="utf-8")
    assert main(["survey", "import", str(tmp_path / "s.yaml"), "--community", "mapo",
                 "--send"]) == 0
    assert "1명에게 보냈어요" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "s.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 1
    asyncio.run(answer_as_coordinator(tmp_path))
    out = tmp_path / "out"
    assert main(["survey", "results", "--community", "mapo", "--survey", "1",
                 "--out", str(out)]) == 0
    names = sorted(path.name for path in out.iterdir())
    assert names == ["mapo-survey-1-answers.csv", "mapo-survey-1.csv", "mapo-survey-1.png",
                     "mapo-survey-1.txt", "mapo-survey-1.xlsx"]
    text = (out / "mapo-survey-1.txt").read_text(encoding="utf-8")
    assert "평균 4.00점" in text and "매달: 1" in text and "좋아요" in text
    sheet = load_workbook(out / "mapo-survey-1.xlsx")["결과"]
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert (2, "얼마나 자주?", "하나 고르기", "매달", 1) in rows
    assert (1, "만족하세요?", "1–5점", "평균", 4) in rows
    assert main(["survey", "results", "--community", "other", "--survey", "1",
                 "--out", str(out)]) == 1
