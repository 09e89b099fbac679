"""The joining notice fits one chat message and KakaoTalk's 1,000-character text."""

from __future__ import annotations

import pytest

from conversation.flows.privacy import consent_buttons, notice_text
from conversation.i18n import translator
from conversation.limits import plain_text
from conversation.replies import ACTION_LIMIT

KAKAO_TEXT_MAX = 1000
LONGEST_NAME = "가" * 60  # a community name is at most 60 characters


@pytest.mark.parametrize("locale", ["ko", "en"])
@pytest.mark.parametrize("open_ledger", [False, True])
def test_the_notice_is_short_enough_for_kakaotalk(locale, open_ledger):
    tr = translator(locale)
    text = plain_text(notice_text(tr, LONGEST_NAME, open_ledger=open_ledger))
    assert len(text) <= KAKAO_TEXT_MAX, len(text)
    # what is kept, why, who sees it, for how long, and that one may refuse
    assert text.count("•") == 5


def test_the_notice_says_what_korean_residents_expect():
    text = plain_text(notice_text(translator("ko"), "마포 품앗이", open_ledger=False))
    for words in ("개인정보 수집·이용 안내", "이름", "회원 번호", "채널 id", "거래", "성과 보고서",
                  "운영위원", "5년", "요청하시면 지워요", "동의하지 않으셔도", "/mydata", "/leave"):
        assert words in text, words


def test_the_buttons_carry_the_version_and_the_longest_code():
    rows = consent_buttons(translator("ko"), "x" * 32)
    for button in rows[0]:
        assert len(button.action.encode()) <= ACTION_LIMIT
    assert rows[0][0].action.startswith("jn:ok:")
