"""/stats (text and chart; `/stats all` for foundation admins) and /export (CSV + XLSX)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from html import escape

from conversation.channel_stats import stats_lines as channel_lines
from conversation.charts import draw_chart
from conversation.export_files import DOCUMENT_LIMIT
from conversation.export_job import export_files
from conversation.exports import parse_day
from conversation.i18n import TIMEZONE, Translator
from conversation.limits import fit_lines
from conversation.render import more_text
from conversation.turn import Turn
from core.stats import CommunityStats, PeriodTotals


def _totals_line(tr: Translator, label: str, totals: PeriodTotals, unit: str) -> str:
    return tr("{label}: {trades} trades · {volume} · {active} active members · {new} new "
              "members · {posts} posts · {attendance} attended events",
              label=label, trades=tr.number(totals.trades),
              volume=tr.amount(totals.volume, escape(unit)),
              active=tr.number(totals.active_members), new=tr.number(totals.new_members),
              posts=tr.number(totals.posts), attendance=tr.number(totals.attendance))


def stats_text(tr: Translator, stats: CommunityStats) -> str:
    unit = stats.community.unit
    lines = [tr("<b>{community} statistics</b>", community=escape(stats.community.name)),
             _totals_line(tr, tr("This year ({year})", year=stats.year), stats.this_year, unit),
             _totals_line(tr, tr("Last year ({year})", year=stats.year - 1), stats.last_year,
                          unit),
             _totals_line(tr, tr("Cumulative"), stats.cumulative, unit)]
    if stats.months_this_year:
        lines.append(tr("<b>This year by month</b>"))
        lines += [tr("{month}: {trades} trades · {volume}",
                     month=_month_name(tr, month.month), trades=tr.number(month.trades),
                     volume=tr.amount(month.volume, escape(unit)))
                  for month in stats.months_this_year]
    lines += channel_lines(tr, stats)
    return "\n".join(lines)


def _month_name(tr: Translator, month: str | int) -> str:
    """`2026-03` or 3 as the month's name in the reader's language (3월, March)."""
    number = int(str(month).rsplit("-", 1)[-1])
    return tr.month(number)


async def stats(turn: Turn) -> None:
    tr = turn.tr
    if turn.args and turn.args[0] == "all":
        every = await turn.services.stats.all_communities(turn.actor)
        lines = [tr("{community}: this year {trades} trades · {volume} · {cumulative} trades "
                    "in all", community=escape(item.community.name),
                    trades=tr.number(item.this_year.trades),
                    volume=tr.amount(item.this_year.volume, escape(item.community.unit)),
                    cumulative=tr.number(item.cumulative.trades))
                 for item in every]
        text, _ = fit_lines(tr("<b>All communities</b> (this year · cumulative trades)"), lines,
                            lambda count: more_text(tr, count))
        await turn.reply(text)
        return
    figures = await turn.services.stats.for_coordinator(turn.actor)
    await turn.reply(stats_text(tr, figures))
    chart = await draw_chart(tr, figures)
    await turn.photo(tr("Trades and volume per month"), content=chart, filename="stats.png")


def _export_period(tr: Translator, args: list[str], now: datetime
                   ) -> tuple[datetime, datetime] | str:
    """The period of `/export FROM TO`, both days included (Seoul); no dates: this year so
    far. Anything else is not guessed: the text of what is wrong, with the right form."""
    if not args:
        return datetime(now.year, 1, 1, tzinfo=TIMEZONE), now
    example = tr("For example: /export 2026-01-01 2026-06-30 (first and last day). "
                 "Without dates you get this year so far.")
    if len(args) != 2:
        return tr("Please give two days, the first and the last, as YYYY-MM-DD.") + "\n" + (
            example)
    days = [parse_day(text) for text in args]
    for text, day in zip(args, days, strict=True):
        if day is None:
            shown = text if len(text) <= 20 else text[:20] + "…"
            return tr("“{text}” is not a date I can read. Please write days as YYYY-MM-DD.",
                      text=escape(shown)) + "\n" + example
    first, last = days
    if first > last:
        return tr("The first day {first} is after the last day {last}. Please swap them.",
                  first=first.isoformat(), last=last.isoformat()) + "\n" + example
    return (datetime.combine(first, time(), TIMEZONE),
            datetime.combine(last + timedelta(days=1), time(), TIMEZONE))


async def export(turn: Turn) -> None:
    """/export [FIRST LAST] as YYYY-MM-DD, both days included (default: this year so far)."""
    tr = turn.tr
    now = turn.services.clock.now().astimezone(TIMEZONE)
    period = _export_period(tr, turn.args, now)
    if isinstance(period, str):
        await turn.reply(period)
        return
    start, end = period
    request = await turn.services.stats.export_request(turn.actor, start, end)
    files = await export_files(request, tr.locale, DOCUMENT_LIMIT)
    last_day = (end - timedelta(days=1)).date() if turn.args else end.date()
    for number, (name, file) in enumerate(files, start=1):
        if number == len(files):
            caption = tr("Figures for {start} – {end}.", start=start.date().isoformat(),
                         end=last_day.isoformat())
        elif name.endswith(".zip"):
            caption = tr("Too big for one file: the rows in one CSV file a month, zipped.")
        else:
            caption = ""
        await turn.file(b"", name, caption, source=file)
