"""A seeded generator of hostile updates, and the checks a fuzz run must pass."""

from __future__ import annotations

import random
import re
from typing import Any

from bot.updates import FakeUser, UpdateFactory

COMMANDS = ["/start", "/help", "/lang", "/join", "/switch", "/approve", "/newcommunity",
            "/balance", "/history", "/pay", "/charge", "/pending", "/reverse", "/offer",
            "/request", "/market", "/cancel", "/nosuch", "/start join_", "/pay@pumasi_bot",
            "/code", "/whoami", "/directory", "/settings", "/experts", "/expert", "/story",
            "/stories", "/expert add #2 | 회계", "/expert add 홍 | 회계 | | | 구두 동의"]
WORDS = ["#1", "#2", "#3", "#4", "#99", "0", "-1", "-5000", "5천", "1만5천", "1.5만", "만만",
         "99999999999999999999999", "1e9", "１０００", "٣", "NaN", "inf", "5,000,000,000",
         "@younghee", "@nobody", "@", "#", "mapo", "MAPO", "gangnam", "nope", "T1", "T999999",
         "'; DROP TABLE transfers; --", "\" OR 1=1", "<b>bold</b>", "<script>x</script>",
         "&amp;", "&", "<", ">", "*bold* _it_ [link](http://x)", "`code`", "\u200b", "\u202e",
         "🙂", "👨‍👩‍👧", "김치", "\n", "\t", "%", "_", "\\", "NULL", "None", "{amount}", "{0}",
         "%s", "x" * 300]
CALLBACK_PREFIXES = ["pay:ok:", "pay:no:", "chg:ok:", "chg:no:", "chg:x:", "hist:", "mkt:",
                     "post:v:", "post:trade:", "post:close:", "post:renew:", "dlg:cat:",
                     "dlg:skip", "dlg:nego", "dlg:publish", "dlg:cancel", "app:ok:", "app:no:",
                     "lang:", "cm:", "code:new:1:", "code:new:", "", "junk:", "dir:", "dir:v:",
                     "rly:p:", "rly:m:", "rly:r:", "rly:cancel", "set:dir:", "set:msg:",
                     "set:intro", "exp:pg:", "exp:yes:", "exp:no:", "exp:wd:", "exp:iok:",
                     "exp:ino:", "sty:send", "sty:sel:", "sty:pub:"]
LABELS = ["💰 잔액", "📜 거래내역", "🛒 장터", "⏳ 대기 요청", "🎁 드려요", "🙋 구해요",
          "❓ 도움말", "💰 Balance", "👥 이웃"]


def random_text(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.15:  # well-formed trades, so that forged and stale buttons have targets
        command = rng.choice(["/pay", "/charge"])
        return f"{command} #{rng.randrange(1, 6)} {rng.choice(['100', '5천', '1만', '300000'])}"
    if kind < 0.55:
        words = [rng.choice(WORDS) for _ in range(rng.randrange(0, 4))]
        return " ".join([rng.choice(COMMANDS), *words])
    if kind < 0.7:
        return rng.choice(LABELS)
    if kind < 0.8:
        return "".join(chr(rng.randrange(32, 0x2FFFF)) for _ in range(rng.randrange(1, 40)))
    return " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 6)))


def random_callback(rng: random.Random) -> str:
    prefix = rng.choice(CALLBACK_PREFIXES)
    tail = rng.choice([str(rng.randrange(0, 60)), str(rng.randrange(10**15)), "-1", "x",
                       "food", "ko", "en", "", "1:책", "0:" + rng.choice(WORDS)])
    return (prefix + tail)[:64]


def random_update(rng: random.Random, factory: UpdateFactory, users: list[FakeUser],
                  group_ids: list[int], recent_buttons: list[str] = ()) -> Any:
    """Mostly noise; sometimes a real button the bot sent lately, tapped by anyone."""
    user = rng.choice(users)
    if recent_buttons and rng.random() < 0.2:
        return factory.callback(user, rng.choice(recent_buttons),
                                message_id=rng.randrange(1, 500))
    roll = rng.random()
    if roll < 0.45:
        chat_id = rng.choice(group_ids) if rng.random() < 0.1 else None
        return factory.message(user, random_text(rng), chat_id=chat_id)
    if roll < 0.5:
        return factory.message(user, rng.choice(["", "사진", "<i>x</i>"]),
                               photo_file_id=f"P{rng.randrange(99)}")
    return factory.callback(user, random_callback(rng), message_id=rng.randrange(1, 500))


_ALLOWED_TAG = re.compile(r"</?(b|i|u|s|code|pre)>|<a href=\"[^\"<>]*\">|</a>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#x27|#39);")


def html_problem(text: str) -> str | None:
    """Why a message would show raw HTML or fail Telegram's HTML parser; None if fine."""
    stripped = _ALLOWED_TAG.sub("", text)
    if "<" in stripped or ">" in stripped:
        return "unescaped < or >"
    if "&" in _ENTITY.sub("", stripped):
        return "unescaped &"
    opened: list[str] = []
    for match in re.finditer(r"<(/?)(b|i|u|s|code|pre|a)\b", text):
        closing, tag = match.groups()
        if not closing:
            opened.append(tag)
        elif not opened or opened.pop() != tag:
            return "tags not balanced"
    if opened:
        return "tags not closed"
    if "Traceback" in text or "Error:" in text:
        return "a traceback"
    return None
