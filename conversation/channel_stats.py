"""Trades by channel of circulation, as the seed's table has them (물품거래, 품 나눔, 가맹점,
공공영역): the lines of /stats, the rows of the export's summary sheet."""

from __future__ import annotations

from html import escape
from typing import Any

from conversation.i18n import Translator
from core.stats import CHANNELS, ChannelMonth, CommunityStats


def channel_name(tr: Translator, channel: str) -> str:
    return {"goods": tr("Goods trades (물품거래)"), "labour": tr("Sharing work (품 나눔)"),
            "merchant": tr("Shops (가맹점)"), "public": tr("Public institutions (공공영역)")
            }.get(channel, channel)


def totals(months: list[ChannelMonth]) -> dict[str, tuple[int, int]]:
    """Each channel's trades and volume over the months given (every channel, zeros too)."""
    found = {channel: (0, 0) for channel in CHANNELS}
    for item in months:
        trades, volume = found[item.channel]
        found[item.channel] = (trades + item.trades, volume + item.volume)
    return found


def stats_lines(tr: Translator, stats: CommunityStats) -> list[str]:
    """This year by channel: one line each, however many months (the text stays short)."""
    unit = escape(stats.community.unit)
    lines = [tr("<b>This year by channel</b>")]
    for channel, (trades, volume) in totals(stats.channels_this_year).items():
        lines.append(tr("{channel}: {trades} trades · {volume}",
                        channel=channel_name(tr, channel), trades=tr.number(trades),
                        volume=tr.amount(volume, unit)))
    return lines


def summary_rows(tr: Translator, stats: CommunityStats) -> list[list[Any]]:
    """The summary sheet's table of months by channel, this year."""
    rows: list[list[Any]] = [[tr("Month"), tr("Channel"), tr("Trades"),
                              tr("Volume ({unit})", unit=stats.community.unit)]]
    for item in stats.channels_this_year:
        rows.append([item.month, channel_name(tr, item.channel), item.trades, item.volume])
    return rows
