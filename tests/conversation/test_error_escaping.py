"""A refusal shows user text as it was written: escaped once for HTML, never twice."""

from __future__ import annotations

import pytest

from conversation.error_text import error_text
from conversation.i18n import translator
from conversation.limits import plain_text
from core.errors import DomainError


@pytest.mark.parametrize("error, shown", [
    (DomainError("survey_key_unknown", key="closes&at", allowed="title, closes"),
     "“closes&at”"),
    (DomainError("survey_question_key_unknown", number=2, key="<opt>", allowed="kind, text"),
     "“<opt>”"),
    (DomainError("survey_column_unknown", key="a&b", allowed="kind, text"), "“a&b”"),
    (DomainError("survey_date_invalid", field="closes", text="3<4"), "“3<4”"),
])
def test_survey_file_errors_show_the_key_as_written(error, shown):
    html = error_text(translator("en"), error)
    assert "<opt>" not in html  # still escaped for Telegram's HTML
    assert shown in plain_text(html)
