"""Settings from the environment and an optional .env file."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from dotenv import load_dotenv

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_PORT = 8080
DEFAULT_HOST = "127.0.0.1"
# Telegram's rule for setWebhook's secret_token.
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Settings:
    telegram_token: str | None
    api_base_url: str
    db_path: str
    admin_telegram_ids: frozenset[str]
    locale: str
    backup_dir: str = "data/backups"
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    backup_time: str = "03:30"
    # `pumasi serve`: where it listens, and the https address the outside world reaches it
    # by (Telegram's webhook, Kakao's image URLs); without one, Telegram is polled.
    port: int = DEFAULT_PORT
    host: str = DEFAULT_HOST
    public_url: str | None = None
    telegram_webhook_secret: str | None = None
    kakao_skill_secret: str | None = None
    kakao_bot_id: str | None = None
    kakao_rest_api_key: str | None = None
    console_admins: frozenset[str] = frozenset()  # names on the local console (its demo)
    # KakaoTalk's Event API (the bot speaks first); without both, news for Kakao members waits
    # for their next message. The event name is the one set on the bot's event block.
    kakao_bot_id: str | None = None
    kakao_rest_api_key: str | None = None
    kakao_event_name: str = "pumasi_news"
    # Several processes on one PostgreSQL database: how often each asks for the jobs lease
    # (bot/leader.py); a dead leader's jobs resume within about this long.
    jobs_lease_seconds: float = 10.0

    @property
    def admins(self) -> frozenset[tuple[str, str]]:
        return frozenset(("telegram", user_id) for user_id in self.admin_telegram_ids) | {
            ("console", name) for name in self.console_admins}

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        if env is None:
            load_dotenv(override=False)
            env = dict(os.environ)
        admins = frozenset(
            part.strip() for part in env.get("PUMASI_ADMINS", "").split(",") if part.strip()
        )
        bad = [admin for admin in admins if not admin.lstrip("-").isdigit()]
        if bad:
            raise ValueError(f"PUMASI_ADMINS must be Telegram user ids (numbers), not {bad}")
        return cls(
            telegram_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            api_base_url=env.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL,
            db_path=env.get("PUMASI_DB") or "data/pumasi.db",
            admin_telegram_ids=admins,
            locale=env.get("PUMASI_LOCALE") or "ko",
            backup_dir=env.get("PUMASI_BACKUP_DIR") or "data/backups",
            backup_keep_daily=int(env.get("PUMASI_BACKUP_KEEP_DAILY") or 7),
            backup_keep_weekly=int(env.get("PUMASI_BACKUP_KEEP_WEEKLY") or 4),
            backup_time=env.get("PUMASI_BACKUP_TIME") or "03:30",
            port=_port(env.get("PORT")),
            host=env.get("PUMASI_HOST") or DEFAULT_HOST,
            public_url=_public_url(env.get("PUMASI_PUBLIC_URL")),
            telegram_webhook_secret=_webhook_secret(env.get("TELEGRAM_WEBHOOK_SECRET")),
            kakao_skill_secret=env.get("KAKAO_SKILL_SECRET") or None,
            kakao_bot_id=env.get("KAKAO_BOT_ID") or None,
            kakao_rest_api_key=env.get("KAKAO_REST_API_KEY") or None,
            kakao_event_name=env.get("KAKAO_EVENT_NAME") or "pumasi_news",
            jobs_lease_seconds=_seconds("PUMASI_JOBS_LEASE_SECONDS",
                                        env.get("PUMASI_JOBS_LEASE_SECONDS"), 10.0),
        )


def _seconds(name: str, text: str | None, default: float) -> float:
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 50:
        raise ValueError(f"{name} must be a number of seconds above 0 and at most 50 (a dead "
                         f"process's jobs must resume within a minute), e.g. 10, not {text!r}")
    return value


def _port(text: str | None) -> int:
    if not text:
        return DEFAULT_PORT
    if not text.strip().isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"PORT must be a port number between 1 and 65535, e.g. 8080, "
                         f"not {text!r}")
    return int(text)


def _public_url(text: str | None) -> str | None:
    if not text:
        return None
    url = text.strip().rstrip("/")
    if not url.startswith("https://") or len(url) <= len("https://"):
        raise ValueError(f"PUMASI_PUBLIC_URL must be the https address this server is reached "
                         f"by, e.g. https://pumasi.example.org (Telegram and Kakao accept "
                         f"only https), not {text!r}")
    return url


def _webhook_secret(text: str | None) -> str | None:
    if not text:
        return None
    if not WEBHOOK_SECRET.fullmatch(text):
        raise ValueError("TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - "
                         "(1 to 256 characters); leave it empty to derive one from the bot "
                         "token")
    return text
