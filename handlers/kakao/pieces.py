"""The conversation's replies as KakaoTalk can carry them, before they are laid out.

- Kakao cannot edit a message: an Edit is a new one.
- A button's short answer (Toast) is a line of its own; DropButtons means nothing (quick
  replies vanish with the next message anyway).
- A picture needs a public URL: with `media` (the web server's short-lived image store) the
  bytes get one; a picture Kakao cannot see (a Telegram file id) is its caption and a note.
- A skill response cannot carry a file: the member is told where to get it (Telegram, or the
  administrator's `pumasi export` for the year's figures)."""

from __future__ import annotations

import inspect
import logging
import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from conversation.i18n import Translator
from conversation.replies import DropButtons, Edit, File, Menu, Photo, Reply, Say, Toast
from core.report import FILE_PREFIX as REPORT_FILE_PREFIX
from handlers.kakao.channel import flat
from handlers.kakao.text import plain
from storage.kakao import Choices

log = logging.getLogger(__name__)

# put(content, content_type) -> a public URL, or None when it cannot be stored; awaited when
# it returns an awaitable (bot/media.py's store writes to the database).
Media = Callable[[bytes, str], "str | None | Awaitable[str | None]"]

_EXPORTS = (".csv", ".xlsx", ".zip")


@dataclass(frozen=True)
class Piece:
    """One thing to show: plain text, the actions offered with it, links, a picture."""

    text: str
    choices: Choices = ()
    links: tuple[tuple[str, str], ...] = ()
    menu: tuple[str, ...] = ()
    image_url: str | None = None

    @property
    def shown_text(self) -> str:
        lines = [self.text] if self.text else []
        lines += [f"{label}: {url}" for label, url in self.links]
        return "\n".join(lines)


async def store_image(media: Media | None, content: bytes | None, filename: str) -> str | None:
    if media is None or not content:
        return None
    content_type = mimetypes.guess_type(filename)[0] or "image/png"
    try:
        url = media(content, content_type)
        if inspect.isawaitable(url):
            url = await url
    except Exception:
        log.exception("the picture %s could not be stored for Kakao", filename)
        return None
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


async def pieces(replies: list[Reply], tr: Translator, media: Media | None = None
                 ) -> list[Piece]:
    found: list[Piece] = []
    for reply in replies:
        if isinstance(reply, Say):
            actions, links = flat(reply.buttons)
            menu = (tuple(label for row in reply.menu.labels for label in row)
                    if isinstance(reply.menu, Menu) else ())
            found.append(Piece(plain(reply.text), actions, links, menu))
        elif isinstance(reply, Edit):
            actions, links = flat(reply.buttons)
            found.append(Piece(plain(reply.text), actions, links))
        elif isinstance(reply, Toast):
            if reply.text:
                found.append(Piece(plain(reply.text)))
        elif isinstance(reply, Photo):
            actions, links = flat(reply.buttons)
            url = await store_image(media, reply.content, reply.filename)
            caption = plain(reply.caption)
            if url is None:
                caption = "\n".join(filter(None, [caption, tr(
                    "(There is a picture here that KakaoTalk can't show; you can see it in "
                    "Telegram.)")]))
            found.append(Piece(caption, actions, links, image_url=url))
        elif isinstance(reply, File):
            found.append(Piece("\n".join(filter(None, [plain(reply.caption),
                                                        file_note(tr, reply.filename)]))))
        elif isinstance(reply, DropButtons):
            continue
        else:  # pragma: no cover - a new kind of reply must be taught to Kakao
            raise TypeError(f"Kakao cannot show {type(reply).__name__}")
    return found


def file_note(tr: Translator, filename: str) -> str:
    if filename.startswith(REPORT_FILE_PREFIX):  # /report: only admins ask, at the server
        return tr("📎 KakaoTalk can't receive files from the bot, so {filename} wasn't sent. "
                  "Use the same command in Telegram, or make it on the server with “pumasi "
                  "report”.", filename=filename)
    if filename.lower().endswith(_EXPORTS):
        return tr("📎 KakaoTalk can't receive files from the bot, so {filename} wasn't sent. "
                  "Use the same command in Telegram, or ask the administrator for “pumasi "
                  "export”.", filename=filename)
    return tr("📎 KakaoTalk can't receive files from the bot, so {filename} wasn't sent. "
              "Use the same command in Telegram to get it.", filename=filename)
