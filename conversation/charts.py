"""The statistics and survey charts (PNG), drawn with matplotlib in NanumGothic (Hangul).

The bot draws it in a child process (`draw_chart`): matplotlib takes some 50 MB that a process
never gives back once imported, and a chart is wanted a few times a month. The child stays a
minute for the next chart, then exits, and the memory goes with it."""

from __future__ import annotations

import asyncio
import importlib.util
import io
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import lru_cache
from pathlib import Path

from conversation.i18n import Translator, translator
from core.stats import CommunityStats
from core.survey_results import SurveyResults

CHART_PROCESS_IDLE = 60.0  # seconds the chart process waits for another chart before exiting


def hangul_font_path() -> Path:
    """NanumGothic, shipped by the koreanize-matplotlib package the project installs. The
    package is located, not imported: importing it would change matplotlib's global style."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("koreanize-matplotlib is not installed; run the set-up command")
    return Path(spec.submodule_search_locations[0]) / "fonts" / "NanumGothic.ttf"


@lru_cache(maxsize=1)
def _font_name() -> str:
    from matplotlib import font_manager

    path = hangul_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def hangul_fonts():
    """The context to draw a chart in: Agg, NanumGothic, a plain minus sign."""
    import matplotlib

    matplotlib.use("Agg")
    return matplotlib.rc_context({"font.family": _font_name(), "axes.unicode_minus": False})


def png(figure) -> bytes:
    """A figure drawn inside `hangul_fonts()`, as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def stats_chart(tr: Translator, stats: CommunityStats) -> bytes:
    with hangul_fonts():
        return png(stats_figure(tr, stats))


def stats_figure(tr: Translator, stats: CommunityStats):
    """The chart's panels: trades and volume per month against last year, then this year's
    trades and volume per month by channel of circulation (the seed's 물품거래, 품 나눔,
    가맹점, 공공영역). Drawn inside `hangul_fonts()`."""
    from matplotlib.figure import Figure

    months = list(range(1, 13))
    this_year = {int(m.month[5:]): m for m in stats.months_this_year}
    last_year = {int(m.month[5:]): m for m in stats.months_last_year}
    labels = [tr("{month}", month=month) for month in months]
    figure = Figure(figsize=(9, 10), dpi=100)
    trades, volume, channel_trades, channel_volume = figure.subplots(4, 1, sharex=True)
    width = 0.4
    trades.bar([m - width / 2 for m in months],
               [last_year[m].trades if m in last_year else 0 for m in months], width,
               label=tr("Last year ({year})", year=stats.year - 1), color="#b0c4de")
    trades.bar([m + width / 2 for m in months],
               [this_year[m].trades if m in this_year else 0 for m in months], width,
               label=tr("This year ({year})", year=stats.year), color="#2e7d32")
    trades.set_ylabel(tr("Trades"))
    trades.legend()
    trades.set_title(tr("{community}: trades and volume per month",
                        community=stats.community.name))
    volume.plot(months, [last_year[m].volume if m in last_year else 0 for m in months],
                marker="o", color="#b0c4de", label=tr("Last year ({year})",
                                                      year=stats.year - 1))
    volume.plot(months, [this_year[m].volume if m in this_year else 0 for m in months],
                marker="o", color="#2e7d32", label=tr("This year ({year})", year=stats.year))
    volume.set_ylabel(tr("Volume ({unit})", unit=stats.community.unit))
    _channel_bars(tr, channel_trades, stats, months, "trades")
    channel_trades.set_ylabel(tr("Trades by channel ({year})", year=stats.year))
    _channel_bars(tr, channel_volume, stats, months, "volume")
    channel_volume.set_ylabel(tr("Volume by channel ({year}, {unit})", year=stats.year,
                                 unit=stats.community.unit))
    channel_volume.set_xticks(months, labels)
    channel_volume.set_xlabel(tr("Month"))
    figure.tight_layout()
    return figure


_CHANNEL_COLOURS = {"goods": "#8d6e63", "labour": "#2e7d32", "merchant": "#f9a825",
                    "public": "#1565c0"}


def _channel_bars(tr: Translator, axes, stats: CommunityStats, months: list[int],
                  figure: str) -> None:
    """This year's trades or volume (`figure`) per month, stacked by channel of circulation."""
    from conversation.channel_stats import channel_name

    bottom = [0] * len(months)
    for channel, colour in _CHANNEL_COLOURS.items():
        values = {int(item.month[5:]): getattr(item, figure)
                  for item in stats.channels_this_year if item.channel == channel}
        heights = [values.get(month, 0) for month in months]
        axes.bar(months, heights, 0.6, bottom=bottom, color=colour,
                 label=channel_name(tr, channel))
        bottom = [low + high for low, high in zip(bottom, heights, strict=True)]
    axes.legend(fontsize="small", ncol=2)


class _ChartProcess:
    """One child process for charts, started on demand, ended when idle."""

    executor: ProcessPoolExecutor | None = None
    retire: asyncio.TimerHandle | None = None
    drawing = 0  # charts asked for and not drawn yet


def _draw(locale: str, stats: CommunityStats | SurveyResults) -> bytes:
    if isinstance(stats, SurveyResults):
        from conversation.survey_chart import survey_chart

        return survey_chart(translator(locale), stats)
    return stats_chart(translator(locale), stats)


async def draw_chart(tr: Translator, stats: CommunityStats | SurveyResults) -> bytes:
    """`stats_chart` in the chart process (started if there is none); the bot's own process
    never imports matplotlib."""
    loop = asyncio.get_running_loop()
    if _ChartProcess.retire is not None:
        _ChartProcess.retire.cancel()
        _ChartProcess.retire = None
    _ChartProcess.drawing += 1
    try:
        return await _in_chart_process(loop, tr.locale, stats)
    finally:
        _ChartProcess.drawing -= 1
        executor = _ChartProcess.executor
        if _ChartProcess.drawing == 0 and executor is not None:
            _ChartProcess.retire = loop.call_later(CHART_PROCESS_IDLE, _retire, executor)


async def _in_chart_process(loop: asyncio.AbstractEventLoop, locale: str,
                            stats: CommunityStats | SurveyResults) -> bytes:
    for attempt in (1, 2):
        if _ChartProcess.executor is None:
            # A fresh interpreter: a fork would copy the bot's memory and its threads' locks.
            _ChartProcess.executor = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        executor = _ChartProcess.executor
        try:
            return await loop.run_in_executor(executor, _draw, locale, stats)
        except BrokenProcessPool:  # the child died (killed for memory?): once more, anew
            if _ChartProcess.executor is executor:
                _ChartProcess.executor = None
            executor.shutdown(wait=False)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _retire(executor: ProcessPoolExecutor) -> None:
    if _ChartProcess.executor is executor:
        _ChartProcess.executor = None
        _ChartProcess.retire = None
    executor.shutdown(wait=False)
