"""The report's charts, in NanumGothic: trades and volume per month of the year, and per
channel of circulation or community. Drawn in the report's child process only
(conversation.report_job), like every chart."""

from __future__ import annotations

from conversation.charts import hangul_fonts, png
from conversation.i18n import Translator


def months_chart(tr: Translator, year: int, trades: list[int], volume: list[int],
                 unit: str) -> bytes:
    months = list(range(1, 13))
    with hangul_fonts():
        from matplotlib.figure import Figure

        figure = Figure(figsize=(9, 5), dpi=100)
        top, bottom = figure.subplots(2, 1, sharex=True)
        top.bar(months, trades, color="#2e7d32")
        top.set_ylabel(tr("Trades"))
        top.set_title(tr("{year}: trades and volume per month", year=year))
        bottom.plot(months, volume, marker="o", color="#1565c0")
        bottom.set_ylabel(tr("Volume ({unit})", unit=unit) if unit else tr("Volume"))
        bottom.set_xticks(months, [tr.month(month) for month in months])
        figure.tight_layout()
        return png(figure)


def bars_chart(tr: Translator, title: str, labels: list[str], trades: list[int],
               volume: list[int], unit: str) -> bytes:
    """Trades and volume side by side for each of `labels` (channels, communities)."""
    places = list(range(len(labels)))
    short = [label if len(label) <= 16 else label[:15] + "…" for label in labels]
    with hangul_fonts():
        from matplotlib.figure import Figure

        figure = Figure(figsize=(9, 1.2 + 0.45 * max(3, len(labels))), dpi=100)
        left, right = figure.subplots(1, 2, sharey=True)
        left.barh(places, trades, color="#2e7d32")
        left.set_yticks(places, short)
        left.invert_yaxis()
        left.set_xlabel(tr("Trades"))
        left.xaxis.get_major_locator().set_params(integer=True)
        right.barh(places, volume, color="#1565c0")
        right.set_xlabel(tr("Volume ({unit})", unit=unit) if unit else tr("Volume"))
        figure.suptitle(title)
        figure.tight_layout()
        return png(figure)
