"""The year's report as a list of sections, each a heading, a table and perhaps a chart or
paragraphs, built once from `ReportFigures` and written out as PDF (report_pdf) and XLSX
(report_xlsx), so both always hold the same figures. A new section is one builder function
added to SECTIONS."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from conversation.channel_stats import channel_name
from conversation.i18n import TIMEZONE, Translator
from core.report import ReportFigures
from core.survey_results import QuestionSummary


@dataclass(frozen=True)
class Amount:
    """An amount of currency: shown with its unit, kept as a number in the workbook."""

    value: int
    unit: str


Cell = str | int | Amount | None  # None: not reported


@dataclass(frozen=True)
class Section:
    key: str  # the workbook sheet's short name
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    note: str = ""
    paragraphs: list[tuple[str, str]] = field(default_factory=list)  # (heading, text)
    chart: Callable[[], bytes] | None = None  # drawn only when the PDF is written


def scope_name(tr: Translator, figures: ReportFigures) -> str:
    if figures.community is not None:
        return figures.community.name
    return tr("All communities")


def _unit(figures: ReportFigures) -> str:
    """The unit of summed amounts: the communities' own when they share one (1문 is valued
    like 1원, so sums across units are still meaningful, but then shown without one)."""
    units = {item.community.unit for item in figures.communities}
    return units.pop() if len(units) == 1 else ""


def summary(tr: Translator, figures: ReportFigures) -> Section:
    unit = _unit(figures)
    rows: list[list[Cell]] = [
        [tr("Communities with trades"), figures.active_communities],
        [tr("Trades"), figures.total("trades")],
        [tr("Cumulative trades"), figures.total("cumulative_trades")],
        [tr("Volume"), Amount(figures.total("volume"), unit)],
        [tr("Active members"), figures.total("active_members")],
        [tr("New members"), figures.total("new_members")],
        [tr("Study sessions held"), figures.total("sessions_held")],
        [tr("Study session attendance"), figures.total("session_attendance")],
        [tr("Selected best-practice stories"), len(figures.stories)],
    ]
    return Section("summary", tr("{year} results at a glance", year=figures.year),
                   [tr("Item"), tr("Figure")], rows)


def per_community(tr: Translator, figures: ReportFigures) -> Section:
    rows: list[list[Cell]] = [
        [item.community.name, item.totals.trades, item.cumulative_trades,
         Amount(item.totals.volume, item.community.unit), item.totals.active_members,
         item.totals.new_members, item.sessions_held, item.session_attendance,
         item.totals.attendance]
        for item in figures.communities]

    def draw() -> bytes:
        from conversation.report_chart import bars_chart

        return bars_chart(tr, tr("Trades and volume per community"),
                          [item.community.name for item in figures.communities],
                          [item.totals.trades for item in figures.communities],
                          [item.totals.volume for item in figures.communities], _unit(figures))

    return Section(
        "communities", tr("Results per community"),
        [tr("Community"), tr("Trades"), tr("Cumulative trades"), tr("Volume"),
         tr("Active members"), tr("New members"), tr("Study sessions held"),
         tr("Study session attendance"), tr("Attended events")], rows,
        note=tr("Active members traded at least once in the year; cumulative trades count "
                "every year up to its end."),
        chart=draw if len(figures.communities) > 1 else None)  # one bar says nothing


def per_month(tr: Translator, figures: ReportFigures) -> Section:
    unit = _unit(figures)
    trades = [0] * 12
    volume = [0] * 12
    for item in figures.communities:
        for month in item.months:
            index = int(month.month[5:]) - 1
            trades[index] += month.trades
            volume[index] += month.volume
    rows: list[list[Cell]] = [[tr.month(number + 1), trades[number], Amount(volume[number], unit)]
                              for number in range(12)]

    def draw() -> bytes:
        from conversation.report_chart import months_chart

        return months_chart(tr, figures.year, trades, volume, unit)

    return Section("months", tr("Trades and volume per month"),
                   [tr("Month"), tr("Trades"), tr("Volume")], rows, chart=draw)


def channels(tr: Translator, figures: ReportFigures) -> Section:
    """The seed's channels of circulation: goods, shared work, shops, public institutions."""
    unit = _unit(figures)
    totals = figures.channel_totals()
    rows: list[list[Cell]] = [
        [channel_name(tr, channel), trades, Amount(volume, unit)]
        for channel, (trades, volume) in totals.items()]

    def draw() -> bytes:
        from conversation.report_chart import bars_chart

        return bars_chart(tr, tr("Trades by channel of circulation"),
                          [channel_name(tr, channel) for channel in totals],
                          [trades for trades, _ in totals.values()],
                          [volume for _, volume in totals.values()], unit)

    return Section("channels", tr("Trades by channel of circulation"),
                   [tr("Channel"), tr("Trades"), tr("Volume")], rows,
                   note=tr("Shop and institution payments count their currency part only."),
                   chart=draw if any(trades for trades, _ in totals.values()) else None)


def surveys(tr: Translator, figures: ReportFigures) -> Section:
    rows: list[list[Cell]] = []
    for result in figures.surveys:
        for summary_ in result.questions:
            rows.append([result.community.name, result.survey.title, summary_.question.text,
                         summary_.answers, _answer_in_words(tr, summary_)])
    note = (tr("Anonymous surveys show no breakdown of fewer than 5 answers.") if rows
            else tr("No survey closed this year."))
    return Section("surveys", tr("Survey results"),
                   [tr("Community"), tr("Survey"), tr("Question"), tr("Answers"),
                    tr("Result")], rows, note=note)


def _answer_in_words(tr: Translator, summary_: QuestionSummary) -> str:
    if summary_.hidden:
        return tr("fewer than 5 answers: not shown")
    if summary_.question.kind == "scale":
        return tr("Mean {mean} out of 5", mean=f"{summary_.mean:.2f}") if (
            summary_.mean is not None) else "–"
    if summary_.question.kind == "text":
        return tr("{count} written answers", count=len(summary_.texts))
    return ", ".join(f"{option} {count}" for option, count in summary_.counts)


def survey_trends(tr: Translator, figures: ReportFigures) -> Section:
    """The standard template's questions side by side over the years they were asked."""
    years = list(range(figures.year - 2, figures.year + 1))
    rows: list[list[Cell]] = []
    for trend in figures.survey_trends:
        by_year = {point.year: point for point in trend.years}
        row: list[Cell] = [trend.text]
        for year in years:
            point = by_year.get(year)
            if point is not None and point.hidden:
                row.append(tr("not shown"))
            elif point is None or point.mean is None:
                row.append(None)
            else:
                row.append(f"{point.mean:.2f}")
        rows.append(row)
    return Section("survey_years", tr("Survey answers over the years (mean of 5)"),
                   [tr("Question")] + [str(year) for year in years], rows,
                   note="" if rows else tr("No question was asked in more than one year."))


def stories(tr: Translator, figures: ReportFigures) -> Section:
    rows: list[list[Cell]] = []
    paragraphs = []
    for story in figures.stories:
        day = story.selected_at.astimezone(TIMEZONE).date().isoformat() if (
            story.selected_at) else ""
        rows.append([story.community_name, story.author_name, day, story.text])
        paragraphs.append((tr("{community} · {author} · selected {day}",
                              community=story.community_name, author=story.author_name,
                              day=day), story.text))
    return Section("stories", tr("Selected best-practice stories"),
                   [tr("Community"), tr("Nominated by"), tr("Selected on"), tr("Story")],
                   rows, note="" if rows else tr("No story was selected this year."),
                   paragraphs=paragraphs)


def three_years(tr: Translator, figures: ReportFigures) -> Section:
    seed = figures.seed_years
    bot_other = tr("{count} best-practice stories selected", count=len(figures.stories))
    rows: list[list[Cell]] = [
        [tr("Communities running")] + [year.communities for year in seed]
        + [figures.active_communities],
        [tr("Trades")] + [year.trades for year in seed] + [figures.total("trades")],
        [tr("Cumulative trades")] + [year.cumulative_trades for year in seed]
        + [figures.total("cumulative_trades")],
        [tr("Study sessions held")] + [year.sessions for year in seed]
        + [figures.total("sessions_held")],
        [tr("Other results")] + [year.other for year in seed] + [bot_other],
    ]
    headers = [tr("Item")] + [tr("{year}", year=year.year) for year in seed] + [
        tr("{year} (this bot)", year=figures.year)]
    return Section("three_years", tr("The last three years of the 2016 plan, and this year"),
                   headers, rows,
                   note=tr("2013–2015 as the Seoul Welfare Foundation's 2016 plan reports "
                           "them; this year's figures are this bot's ledger."))


SECTIONS: list[Callable[[Translator, ReportFigures], Section]] = [
    summary, per_community, per_month, channels, surveys, survey_trends, stories, three_years,
]


def build_sections(tr: Translator, figures: ReportFigures) -> list[Section]:
    return [builder(tr, figures) for builder in SECTIONS]


def report_title(tr: Translator, figures: ReportFigures) -> str:
    return tr("{scope} {year} performance report", scope=scope_name(tr, figures),
              year=figures.year)
