from bot.cli import main

HEADER = "kind,title,start,end,place,capacity\n"


def setup(monkeypatch, tmp_path):
    monkeypatch.setenv("PUMASI_DB", str(tmp_path / "events.db"))
    assert main(["community", "create", "--code", "mapo", "--name", "마포"]) == 0
    assert main(["coordinator", "add", "--community", "mapo", "--telegram-id", "7"]) == 0


def test_import_a_years_schedule(monkeypatch, tmp_path, capsys):
    setup(monkeypatch, tmp_path)
    schedule = tmp_path / "2027.csv"
    schedule.write_text(
        HEADER
        + "study,품앗이 학당 1,2027-04-10 14:00,2027-04-10 16:00,마포구청,30\n"
        + "meeting,자문회의 1차,2027-04-20 10:00,2027-04-20 12:00,재단 회의실,\n"
        + "trip,현장 견학,2027-06-05 09:00,2027-06-05 18:00,은평,20\n",
        encoding="utf-8-sig")
    assert main(["events", "import", str(schedule), "--community", "mapo"]) == 0
    assert "일정 3건을 가져왔어요" in capsys.readouterr().out


def test_one_bad_row_imports_nothing_and_names_the_lines(monkeypatch, tmp_path, capsys):
    setup(monkeypatch, tmp_path)
    schedule = tmp_path / "bad.csv"
    schedule.write_text(
        HEADER
        + "study,좋은 줄,2027-04-10 14:00,2027-04-10 16:00,마포구청,30\n"
        + "party,잘못된 종류,2027-04-20 10:00,2027-04-20 12:00,,\n"
        + "study,거꾸로,2027-04-20 12:00,2027-04-20 10:00,,\n"
        + "study,없는 날,2027-02-30 12:00,2027-02-30 14:00,,\n"
        + "study,정원,2027-05-01 12:00,2027-05-01 14:00,,많이\n",
        encoding="utf-8")
    assert main(["events", "import", str(schedule), "--community", "mapo"]) == 1
    err = capsys.readouterr().err
    for line in ("3번째 줄", "4번째 줄", "5번째 줄", "6번째 줄"):
        assert line in err
    assert "2번째 줄" not in err and "아무것도 가져오지 않았어요" in err
    import sqlite3

    with sqlite3.connect(tmp_path / "events.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 0
