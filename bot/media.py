"""Images the bot shows on Kakao (a chart, a QR code) live for a few minutes at an unguessable
URL under PUMASI_PUBLIC_URL: Kakao's skill answers carry an image's address, not its bytes."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from storage.media import MediaRows
from storage.port import Engine

MEDIA_PATH = "/media"
DEFAULT_TTL = 600.0  # seconds
DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # everything held at once
DEFAULT_MAX_ITEM_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_ITEMS = 1000


class MediaUnavailable(RuntimeError):
    """No PUMASI_PUBLIC_URL, so there is no address an image could be fetched from."""


@dataclass(frozen=True)
class Media:
    content: bytes
    content_type: str
    expires: float  # on the store's clock


class MediaStore:
    """In the database (storage/media.py): Kakao fetches an image from whichever process its
    request reaches, which need not be the one that answered the skill call. Past its bounds
    (held across processes: one store at a time) the oldest go first; expired ones are
    forgotten by the next store. The clock is the wall clock, which every process shares.

    The web server's lifespan attaches the database (`attach`) once it is open."""

    def __init__(self, public_url: str | None, *, ttl: float = DEFAULT_TTL,
                 max_bytes: int = DEFAULT_MAX_BYTES,
                 max_item_bytes: int = DEFAULT_MAX_ITEM_BYTES,
                 max_items: int = DEFAULT_MAX_ITEMS,
                 clock: Callable[[], float] = time.time) -> None:
        self.public_url = public_url.rstrip("/") if public_url else None
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.max_item_bytes = max_item_bytes
        self.max_items = max_items
        self._clock = clock
        self._rows: MediaRows | None = None

    @property
    def enabled(self) -> bool:
        """False without a public URL: show the text without the image then."""
        return self.public_url is not None

    def attach(self, db: Engine | None) -> None:
        """Keep the images in `db` (None: detached, as before the server opened it)."""
        self._rows = MediaRows(db) if db is not None else None

    async def put(self, content: bytes, content_type: str) -> str:
        """Keep the image for `ttl` seconds; its absolute https URL."""
        if self.public_url is None:
            raise MediaUnavailable("PUMASI_PUBLIC_URL is not set")
        if not content_type.startswith("image/"):
            raise ValueError(f"only images are served, not {content_type}")
        if len(content) > self.max_item_bytes:
            raise ValueError(f"image of {len(content)} bytes is over {self.max_item_bytes}")
        now = self._clock()
        token = secrets.token_urlsafe(24)
        await self._table().store(token, content, content_type, now_ms=_ms(now),
                                  expires_ms=_ms(now + self.ttl), max_bytes=self.max_bytes,
                                  max_items=self.max_items)
        return f"{self.public_url}{MEDIA_PATH}/{token}"

    async def get(self, token: str) -> Media | None:
        """The image while it lives; None for an unknown or expired token."""
        found = await self._table().find(token, now_ms=_ms(self._clock()))
        if found is None:
            return None
        return Media(found.content, found.content_type, found.expires_ms / 1000)

    async def count(self) -> int:
        """How many images live now."""
        return await self._table().count(now_ms=_ms(self._clock()))

    def _table(self) -> MediaRows:
        if self._rows is None:
            raise RuntimeError("the media store has no database yet (the server is not open)")
        return self._rows


def _ms(seconds: float) -> int:
    return int(seconds * 1000)
