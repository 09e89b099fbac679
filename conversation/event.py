"""What a person sent or tapped, as every channel can describe it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sender:
    """The person as the channel knows them."""

    channel: str  # "telegram", "kakao", "console"
    external_id: str  # Telegram user id, Kakao botUserKey
    name: str = ""
    username: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class ChannelInfo:
    """What a flow may need to know of the channel, without knowing the messenger."""

    name: str
    start_link: str | None = None  # prefix of a deep link, e.g. "https://t.me/bot?start="
    has_menu: bool = True  # a persistent main menu (reply keyboard)
    photos: bool = True  # people can send photos, and a photo sent before can be shown


@dataclass(frozen=True)
class Event:
    """One message or button press.

    `update_key` identifies the delivery (a redelivered update has the same one) and
    `request_key` the message itself, so the effect of each is committed at most once."""

    sender: Sender
    channel: ChannelInfo
    update_key: str
    request_key: str
    chat: str  # where replies go (a private chat, or a group chat)
    private: bool = True
    text: str = ""  # message text or caption
    command: str | None = None  # "pay" for "/pay #3 5000"
    args: tuple[str, ...] = ()
    action: str | None = None  # a button's action id
    on_photo: bool = False  # the button tapped sits under a photo (its text is a caption)
    photo: str | None = None  # the channel's reference to a received photo
    document: str | None = None
    edited: bool = False  # an edit of an earlier message

    @property
    def is_action(self) -> bool:
        return self.action is not None
