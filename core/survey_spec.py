"""A survey as written by a coordinator: a YAML file (`title`, `anonymous`, `audience`,
`opens`, `closes`, `questions` each with `text`, `kind`, `options`, `optional`) or a CSV of
questions (`kind,text,options,optional`, options separated by `|`). Both read into the same
`SurveySpec`; anything wrong is a DomainError naming the question and what to fix."""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core.errors import DomainError

KINDS = ("scale", "choice", "multi", "text")
AUDIENCES = ("all", "coordinators", "event", "active", "inactive")
QUESTIONS_MAX = 50
OPTIONS_MAX = 10  # buttons a member scrolls through on a phone
TEXT_MAX = 300
OPTION_MAX = 40
TITLE_MAX = 100
_TRUE = {"true", "yes", "y", "1", "예", "네", "o"}
_FALSE = {"false", "no", "n", "0", "아니요", "아니오", "", "x"}
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# The keys a survey file may write. Any other key is refused: a typo (`closes_at`, `anonymus`)
# would otherwise leave a survey open for ever, or named where it was meant to be anonymous.
FILE_KEYS = ("title", "anonymous", "audience", "audience_days", "audience_event", "opens",
             "closes", "questions")
QUESTION_KEYS = ("kind", "text", "options", "optional", "key")


@dataclass(frozen=True)
class QuestionSpec:
    kind: str
    text: str
    options: tuple[str, ...] = ()
    optional: bool = False
    key: str | None = None  # the same question in another year's survey (templates)


@dataclass(frozen=True)
class SurveySpec:
    title: str
    questions: tuple[QuestionSpec, ...]
    anonymous: bool = True
    audience: str = "all"
    audience_days: int | None = None
    audience_event_id: int | None = None
    opens: date | None = None
    closes: date | None = None
    template: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class _RepeatedKey(Exception):
    def __init__(self, key: str, line: int) -> None:
        self.key, self.line = key, line


def _loader_refusing_repeated_keys():
    """PyYAML's safe loader, except that a key written twice in one mapping is refused: YAML
    keeps the last one silently, and a second `closes:` lower down would win unseen."""
    import yaml

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen: set[object] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *base`: keys merged in may be written over, as YAML says
                key = self.construct_object(key_node, deep=deep)
                try:
                    repeated = key in seen
                except TypeError:  # a list as a key: the loader's own error says so
                    break
                if repeated:
                    raise _RepeatedKey(str(key), key_node.start_mark.line + 1)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return Loader


def from_yaml(text: str) -> SurveySpec:
    import yaml

    try:
        data = yaml.load(text, Loader=_loader_refusing_repeated_keys())
    except _RepeatedKey as repeated:
        raise DomainError("survey_key_twice", key=repeated.key, line=repeated.line) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise DomainError("survey_yaml_invalid",
                          line=(mark.line + 1) if mark is not None else 0) from None
    if not isinstance(data, dict):
        raise DomainError("survey_yaml_invalid", line=0)
    _known_keys(data, FILE_KEYS, "survey_key_unknown")
    questions = data.get("questions")
    if not isinstance(questions, list):
        raise DomainError("survey_no_questions")
    parsed = []
    for number, item in enumerate(questions, start=1):
        if not isinstance(item, dict):
            raise DomainError("survey_question_text", number=number)
        _known_keys(item, QUESTION_KEYS, "survey_question_key_unknown", number=number)
        parsed.append(question(number, item.get("kind"), item.get("text"),
                               item.get("options"), item.get("optional"), item.get("key")))
    return build(data, parsed)


def from_csv(text: str, header: dict[str, Any] | None = None) -> SurveySpec:
    """Questions from CSV rows; the survey's own fields (title …) come from `header`, or
    from the file's name when there is none."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    names = [name.strip().lower() for name in reader.fieldnames or []]
    _known_keys({name: None for name in names if name}, QUESTION_KEYS,
                "survey_column_unknown")
    reader.fieldnames = names
    parsed = []
    for number, raw in enumerate(reader, start=1):
        # Values past the header's columns (an unquoted comma), or under a column with no
        # name, would be dropped without a word.
        if any(str(value).strip() for value in [*(raw.get(None) or []), raw.get("") or ""]):
            raise DomainError("survey_row_too_long", number=number)
        row = {name: value for name, value in raw.items() if name}
        options = [o.strip() for o in (row.get("options") or "").split("|") if o.strip()]
        parsed.append(question(number, row.get("kind"), row.get("text"), options,
                               row.get("optional"), row.get("key")))
    return build(header or {}, parsed)


def _known_keys(data: dict[Any, Any], allowed: tuple[str, ...], code: str,
                **where: int) -> None:
    for key in data:
        if key not in allowed:
            name = str(key)[:30]
            close = difflib.get_close_matches(name.lower(), allowed, n=1, cutoff=0.6)
            raise DomainError(code, key=name, allowed=", ".join(allowed),
                              suggestion=close[0] if close else None, **where)


def question(number: int, kind: Any, text: Any, options: Any, optional: Any,
             key: Any = None) -> QuestionSpec:
    kind = str(kind or "").strip().lower()
    if kind not in KINDS:
        raise DomainError("survey_question_kind", number=number, kind=str(kind)[:20])
    text = " ".join(str(text or "").split())
    if not text or len(text) > TEXT_MAX:
        raise DomainError("survey_question_text", number=number)
    if options is None:
        options = []
    if isinstance(options, str):
        options = [o.strip() for o in options.split("|")]
    if not isinstance(options, list):
        raise DomainError("survey_options_missing", number=number)
    cleaned = tuple(" ".join(str(o).split()) for o in options if str(o).strip())
    if kind in ("choice", "multi"):
        if not 2 <= len(cleaned) <= OPTIONS_MAX or len(set(cleaned)) != len(cleaned) or any(
                len(o) > OPTION_MAX for o in cleaned):
            raise DomainError("survey_options_missing", number=number, maximum=OPTIONS_MAX)
    else:
        cleaned = ()
    return QuestionSpec(kind, text, cleaned, _flag(optional, number),
                        str(key).strip() or None if key else None)


def _flag(value: Any, number: int) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DomainError("survey_question_optional", number=number)


def build(data: dict[str, Any], questions: list[QuestionSpec]) -> SurveySpec:
    title = " ".join(str(data.get("title") or "").split())
    if not title or len(title) > TITLE_MAX:
        raise DomainError("survey_title_missing", maximum=TITLE_MAX)
    if not questions:
        raise DomainError("survey_no_questions")
    if len(questions) > QUESTIONS_MAX:
        raise DomainError("survey_too_many_questions", maximum=QUESTIONS_MAX)
    audience = str(data.get("audience") or "all").strip().lower()
    if audience not in AUDIENCES:
        raise DomainError("survey_audience_invalid")
    days = data.get("audience_days")
    if audience in ("active", "inactive") and not (
            isinstance(days, int) and 0 < days <= 3650):
        raise DomainError("survey_days_invalid")
    event_id = data.get("audience_event")
    if audience == "event" and not isinstance(event_id, int):
        raise DomainError("survey_audience_invalid")
    opens, closes = day(data.get("opens"), "opens"), day(data.get("closes"), "closes")
    if opens and closes and closes < opens:
        raise DomainError("survey_dates_order")
    return SurveySpec(title=title, questions=tuple(questions),
                      anonymous=_flag(data.get("anonymous", True), 0), audience=audience,
                      audience_days=days if audience in ("active", "inactive") else None,
                      audience_event_id=event_id if audience == "event" else None,
                      opens=opens, closes=closes, template=data.get("template"))


def day(value: Any, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    match = _DAY.fullmatch(str(value).strip())
    try:
        if match is None:
            raise ValueError
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise DomainError("survey_date_invalid", field=name, text=str(value)[:20]) from None
