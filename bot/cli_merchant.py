"""`pumasi merchant qr`: a shop's counter QR (PNG) and printable A6 sign (PDF) into a folder."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from conversation.shop_sign import qr_png, shop_link, sign_pdf
from core.services import Services


def add_parser(commands, sub) -> None:
    merchant = sub(commands, "merchant", "가맹점 / merchants")
    actions = merchant.add_subparsers(dest="action", required=True, title="명령 / commands")
    qr = sub(actions, "qr", "계산대 QR(PNG)과 A6 안내문(PDF) 만들기 / the counter QR (PNG) "
             "and a printable A6 sign (PDF)")
    qr.add_argument("--community", required=True, help="품앗이 코드 / community code")
    qr.add_argument("--merchant", required=True, type=int,
                    help="가게 번호 (/merchants 에 나오는 번호) / the shop's number")
    qr.add_argument("--out", default=".", help="파일을 쓸 폴더 / folder to write the files into")
    qr.add_argument("--bot", help="텔레그램 봇 사용자 이름 (기본: PUMASI_BOT_USERNAME 또는 "
                    "토큰으로 확인) / the bot's Telegram username (default: PUMASI_BOT_USERNAME, "
                    "or asked with the token)")


async def _bot_username(args: argparse.Namespace, token: str | None) -> str | None:
    name = args.bot or os.environ.get("PUMASI_BOT_USERNAME")
    if name or not token:
        return (name or "").lstrip("@") or None
    from telegram import Bot

    async with Bot(token) as bot:  # one getMe: the username the deep link needs
        return bot.username


def _write(files: dict[Path, bytes]) -> None:
    for path, content in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


async def run(services: Services, args: argparse.Namespace, tr, token: str | None) -> int:
    organisation = await services.organisations.for_admin(args.community, args.merchant)
    username = await _bot_username(args, token)
    if username is None:
        print(tr("Please give the bot's username with --bot (or set PUMASI_BOT_USERNAME)."))
        return 2
    community = await services.membership.community_by_code(args.community)
    link = shop_link(f"https://t.me/{username}?start=", organisation.token)
    stem = Path(args.out) / f"{community.code}-shop-{organisation.number}"
    png, pdf = stem.with_name(stem.name + ".png"), stem.with_name(stem.name + "-sign.pdf")
    sign = sign_pdf(name=organisation.name, number=organisation.number,
                    short_code=organisation.short_code, unit=community.unit,
                    share_percent=organisation.share_percent, link=link)
    await asyncio.to_thread(_write, {png: qr_png(link), pdf: sign})
    print(tr("Wrote {png} and {pdf} for {shop} ({link}).", png=str(png), pdf=str(pdf),
             shop=organisation.name, link=link))
    return 0
