"""Refusals of the expert pool, stories and the year's report (merged into error_text)."""

from __future__ import annotations

from conversation.i18n import Translator


def _field(tr: Translator, field: str) -> str:
    return {"name": tr("the name"), "topics": tr("the topics"),
            "organisation": tr("the organisation"), "contact": tr("the contact"),
            "consent": tr("when and how they agreed"), "note": tr("the note")}.get(
                field, tr("this"))


MESSAGES = {
    "expert_field_missing": lambda tr, p: tr(
        "Please write {field}. /expert shows how.", field=_field(tr, p["field"])),
    "expert_field_too_long": lambda tr, p: tr(
        "That is too long: please keep {field} within {maximum} characters.",
        field=_field(tr, p["field"]), maximum=p["maximum"]),
    "expert_not_found": lambda tr, p: tr(
        "That expert isn't in the pool (any more). /experts shows who is."),
    "expert_invitation_kind": lambda tr, p: tr(
        "Please say lecture or consulting, e.g. /expert invite 3 lecture"),
    "story_empty": lambda tr, p: tr("The story is empty. Please write a few sentences."),
    "story_too_long": lambda tr, p: tr(
        "The story is too long: at most {maximum} characters, please. Send /story to start "
        "again.", maximum=p["maximum"]),
    "story_too_many_photos": lambda tr, p: tr(
        "A story can have at most {maximum} photos. Tap Submit to send it as it is.",
        maximum=p["maximum"]),
    "story_not_found": lambda tr, p: tr("That story isn't available. /stories lists them."),
    "report_year_invalid": lambda tr, p: tr(
        "There's no report for {year}. Please give a year like 2026.", year=p["year"]),
}
