"""Settings from the environment and an optional .env file."""

from __future__ import annotations

import os
from dataclasses import dataclass

from dotenv import load_dotenv

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"


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
    console_admins: frozenset[str] = frozenset()  # names on the local console (its demo)
    # KakaoTalk's Event API (the bot speaks first); without both, news for Kakao members waits
    # for their next message. The event name is the one set on the bot's event block.
    kakao_bot_id: str | None = None
    kakao_rest_api_key: str | None = None
    kakao_event_name: str = "pumasi_news"

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
            kakao_bot_id=env.get("KAKAO_BOT_ID") or None,
            kakao_rest_api_key=env.get("KAKAO_REST_API_KEY") or None,
            kakao_event_name=env.get("KAKAO_EVENT_NAME") or "pumasi_news",
        )
