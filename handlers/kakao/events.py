"""A skill call as the conversation's Event.

Kakao sends no message id. A typed message gets a fresh key per call, so typed text is not
deduplicated (Kakao does not resend a skill call; a person who types the same thing twice
means it twice, and the flows' own guards — a preview to confirm — keep money safe). A tap
carries a single-use token instead, and its key is `kakao:token:<token>`: the conversation
records that key in the same write transaction as the tap's effect, so the same tap twice (or
an old quick reply tapped again) commits nothing twice."""

from __future__ import annotations

import hashlib
import uuid

from conversation.event import ChannelInfo, Event, Sender
from conversation.i18n import translator
from handlers.kakao.channel import CHANNEL
from handlers.kakao.models import SkillRequest
from storage.kakao import KakaoPerson

# A skill call carries no uploaded photo, and a Telegram photo's id shows nothing here.
INFO = ChannelInfo(CHANNEL, start_link=None, has_menu=False, photos=False)


def clean(text: str) -> str:
    """Text as it can be stored: lone surrogates (never valid UTF-8) become '?'."""
    return text.encode("utf-8", "replace").decode("utf-8")


def placeholder_name(user_key: str) -> str:
    """Kakao tells a skill no name: a newcomer is "카카오 회원 3F2A" until they give one."""
    code = hashlib.sha256(user_key.encode("utf-8")).hexdigest()[:4].upper()
    return translator("ko")("Kakao member {code}", code=code)


def sender(request: SkillRequest, person: KakaoPerson | None) -> Sender:
    # The name they already have is passed back, so it is never overwritten by the placeholder.
    name = person.display_name if person else placeholder_name(request.user_id)
    return Sender(CHANNEL, request.user_id, name, None, None)


def token_key(token: str) -> str:
    return f"{CHANNEL}:token:{token}"


def _base(request: SkillRequest, person: KakaoPerson | None, key: str) -> dict:
    return {"sender": sender(request, person), "channel": INFO, "update_key": key,
            "request_key": key, "chat": request.user_id, "private": True}


def message_event(request: SkillRequest, person: KakaoPerson | None) -> Event:
    text = clean(request.utterance).strip()
    command, args = None, ()
    if text.startswith("/") and len(text) > 1:
        words = text.split()
        command, args = words[0][1:].split("@", 1)[0].lower(), tuple(words[1:])
    key = f"{CHANNEL}:msg:{uuid.uuid4().hex}"
    return Event(text=text, command=command, args=args, **_base(request, person, key))


def tap_event(request: SkillRequest, person: KakaoPerson | None, token: str, action: str
              ) -> Event:
    return Event(action=action, **_base(request, person, token_key(token)))
