"""Typed button labels inside a dialog: which button a typed text stands for."""

import pytest

from conversation.flows.labels import is_stop, label_action
from conversation.i18n import translator
from conversation.keyboards import categories, dialog_skip, post_publish
from conversation.replies import Button

KO = translator("ko")


def flat(rows) -> list[Button]:
    return [button for row in rows for button in row]


CATEGORY_STEP = flat(categories(KO))
PRICE_STEP = flat(dialog_skip(KO, KO("Negotiable"), "dlg:nego"))
PHOTO_STEP = flat(dialog_skip(KO, KO("Skip")))
CONFIRM_STEP = flat(post_publish(KO))
YES_NO_STEP = [Button("네", "evd:ori:1"), Button("아니요", "evd:ori:0"),
               Button("취소", "evd:cancel")]
SEND_STEP = [Button("📣 보내기", "ntc:send:go"), Button("취소", "ntc:cancel")]
TWO_YES = [Button("✅ 저장", "a"), Button("✅ 올리기", "b")]


@pytest.mark.parametrize(
    ("text", "step", "action"),
    [
        ("먹거리", CATEGORY_STEP, "dlg:cat:food"),
        (" 먹거리 ", CATEGORY_STEP, "dlg:cat:food"),
        ("배움·재능", CATEGORY_STEP, "dlg:cat:learning"),
        ("배움 재능", CATEGORY_STEP, "dlg:cat:learning"),
        ("배움", CATEGORY_STEP, "dlg:cat:learning"),  # one word of one label
        ("집안일", CATEGORY_STEP, "dlg:cat:repair"),
        ("취소", CATEGORY_STEP, "dlg:cancel"),
        ("떡", CATEGORY_STEP, None),  # a word of no label
        ("가격 협의", PRICE_STEP, "dlg:nego"),
        ("협의", PRICE_STEP, "dlg:nego"),
        ("5000", PRICE_STEP, None),
        ("건너뛰기", PHOTO_STEP, "dlg:skip"),
        ("건너 뛰기", PHOTO_STEP, "dlg:skip"),
        ("올리기", CONFIRM_STEP, "dlg:publish"),
        ("✅ 올리기", CONFIRM_STEP, "dlg:publish"),
        ("네", CONFIRM_STEP, "dlg:publish"),  # a yes is the one ✅ button
        ("네 좋아요", CONFIRM_STEP, "dlg:publish"),
        ("아니요", CONFIRM_STEP, None),  # a bare no is left to the dialog
        ("네", YES_NO_STEP, "evd:ori:1"),
        ("응", YES_NO_STEP, "evd:ori:1"),
        ("아니요", YES_NO_STEP, "evd:ori:0"),
        ("아니", YES_NO_STEP, "evd:ori:0"),
        ("취소", YES_NO_STEP, "evd:cancel"),
        ("보내기", SEND_STEP, "ntc:send:go"),
        ("네", SEND_STEP, "ntc:send:go"),  # 보내기 is itself a yes
        ("네", TWO_YES, None),  # two yes buttons: no guess
        ("", CATEGORY_STEP, None),
        ("🙂", CATEGORY_STEP, None),
    ],
)
def test_label_action(text, step, action):
    assert label_action(text, step) == action


@pytest.mark.parametrize(
    ("text", "stop"),
    [
        ("취소", True),
        ("그만", True),
        ("취소할래요", True),
        ("cancel", True),
        ("stop", True),
        ("아니요", False),  # may be an answer ("no description")
        ("no", False),
        ("2번 취소", False),  # a session's sign-up, not the dialog
        ("김치", False),
        ("네", False),
    ],
)
def test_is_stop(text, stop):
    assert is_stop(text) is stop
