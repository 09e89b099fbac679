"""Images the bot shows on Kakao (a chart, a QR code) live for a few minutes at an unguessable
URL under PUMASI_PUBLIC_URL: Kakao's skill answers carry an image's address, not its bytes."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

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
    """In memory, per process: an image is fetched back from the process that stored it,
    which is the one that answered the skill call. Past its bounds the oldest go first."""

    def __init__(self, public_url: str | None, *, ttl: float = DEFAULT_TTL,
                 max_bytes: int = DEFAULT_MAX_BYTES,
                 max_item_bytes: int = DEFAULT_MAX_ITEM_BYTES,
                 max_items: int = DEFAULT_MAX_ITEMS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.public_url = public_url.rstrip("/") if public_url else None
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.max_item_bytes = max_item_bytes
        self.max_items = max_items
        self._clock = clock
        self._items: OrderedDict[str, Media] = OrderedDict()
        self._bytes = 0

    @property
    def enabled(self) -> bool:
        """False without a public URL: show the text without the image then."""
        return self.public_url is not None

    def put(self, content: bytes, content_type: str) -> str:
        """Keep the image for `ttl` seconds; its absolute https URL."""
        if self.public_url is None:
            raise MediaUnavailable("PUMASI_PUBLIC_URL is not set")
        if not content_type.startswith("image/"):
            raise ValueError(f"only images are served, not {content_type}")
        if len(content) > self.max_item_bytes:
            raise ValueError(f"image of {len(content)} bytes is over {self.max_item_bytes}")
        self._forget_expired()
        while self._items and (len(self._items) >= self.max_items
                               or self._bytes + len(content) > self.max_bytes):
            self._drop(next(iter(self._items)))
        token = secrets.token_urlsafe(24)
        self._items[token] = Media(bytes(content), content_type, self._clock() + self.ttl)
        self._bytes += len(content)
        return f"{self.public_url}{MEDIA_PATH}/{token}"

    def get(self, token: str) -> Media | None:
        """The image while it lives; None for an unknown or expired token."""
        self._forget_expired()
        return self._items.get(token)

    def __len__(self) -> int:
        return len(self._items)

    def _forget_expired(self) -> None:
        now = self._clock()
        # Every item lives as long, so the oldest expire first.
        while self._items:
            token, media = next(iter(self._items.items()))
            if media.expires > now:
                return
            self._drop(token)

    def _drop(self, token: str) -> None:
        media = self._items.pop(token)
        self._bytes -= len(media.content)
