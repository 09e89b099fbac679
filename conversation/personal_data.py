"""A member's own data as a small ZIP of CSV files (UTF-8 with BOM, so Excel reads Korean;
every cell guarded against formulas like the coordinators' exports)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any

from conversation.exports import Column, csv_bytes, party_name
from conversation.i18n import TIMEZONE, Translator
from conversation.render import (
    category_name,
    kind_label,
    member_status_name,
    post_status_name,
    role_name,
    transfer_kind_name,
)
from conversation.render_events import event_status_name
from conversation.render_events import kind_name as event_kind_name
from conversation.survey_text import status_name as survey_status_name
from core.privacy import MyData


def _time(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M")


def _signup_status(tr: Translator, status: str) -> str:
    return {"signed": tr("Signed up"), "waiting": tr("On the waiting list"),
            "cancelled": tr("Cancelled")}.get(status, status)


def _invite_state(tr: Translator, state: str) -> str:
    return {"invited": tr("Not started"), "started": tr("Started"),
            "finished": tr("Finished")}.get(state, state)


def _survey_answer(tr: Translator, row: dict[str, Any]) -> str:
    """The answer as the member gave it: the scale point, the option(s) in words, the text."""
    if row["skipped"]:
        return tr("Skipped")
    options = json.loads(row["options"] or "[]")

    def option(index: int) -> str:
        return options[index] if 0 <= index < len(options) else str(index)

    if row["kind"] == "choice" and row["value"] is not None:
        return option(row["value"])
    if row["kind"] == "multi" and row["choices"]:
        return ", ".join(option(index) for index in json.loads(row["choices"]))
    if row["value"] is not None:
        return str(row["value"])
    return row["text"] or ""


def _channel_name(tr: Translator, channel: str) -> str:
    return {"telegram": tr("Telegram user id"), "kakao": tr("KakaoTalk user key")
            }.get(channel, channel)


def _profile_rows(tr: Translator, data: MyData) -> list[dict[str, Any]]:
    person = data.person
    language = {"ko": "한국어", "en": "English"}.get(person.get("locale") or "", "")
    rows = [
        {"item": tr("Name"), "value": person.get("display_name") or ""},
        {"item": tr("Username"), "value": f"@{person['username']}" if person.get("username")
         else ""},
        {"item": tr("Language"), "value": language},
        {"item": tr("First contact"), "value": _time(person.get("created_at"))},
    ]
    rows += [{"item": _channel_name(tr, identity["channel"]), "value": identity["external_id"]}
             for identity in data.identities]
    return rows


def _tables(tr: Translator, data: MyData) -> dict[str, tuple[list[Column], list[dict]]]:
    own_name = data.person.get("display_name") or ""

    def side(number: int | None, name: str | None, mine: bool) -> str:
        # My own side by my name; the other as my statement shows them.
        return own_name if mine else party_name(tr, number, name)

    profile: list[Column] = [(tr("Item"), lambda r: r["item"]),
                             (tr("Value"), lambda r: r["value"])]
    memberships: list[Column] = [
        (tr("Community code"), lambda r: r["code"]),
        (tr("Community"), lambda r: r["name"]),
        (tr("Number"), lambda r: r["number"] or ""),
        (tr("Role"), lambda r: role_name(tr, r["role"])),
        (tr("Status"), lambda r: member_status_name(tr, r["status"])),
        (tr("Applied"), lambda r: _time(r["created_at"])),
        (tr("Joined"), lambda r: _time(r["decided_at"]) if r["number"] else ""),
        (tr("Left"), lambda r: _time(r["left_at"])),
        (tr("Balance"), lambda r: r["balance"] if r["balance"] is not None else ""),
        (tr("Privacy notice agreed"), lambda r: _time(r["consent_at"])),
        (tr("Notice version"), lambda r: r["consent_version"] or ""),
    ]
    trades: list[Column] = [
        (tr("Transfer"), lambda r: f"T{r['id']}"),
        (tr("Date and time"), lambda r: _time(r["created_at"])),
        (tr("Community code"), lambda r: r["community_code"]),
        (tr("Kind"), lambda r: transfer_kind_name(tr, r["kind"], r["purpose"])),
        (tr("Amount (mine)"), lambda r: r["signed_amount"]),
        (tr("Payer number"), lambda r: r["payer_number"] or ""),
        (tr("Payer"), lambda r: side(r["payer_number"], r["payer_name"],
                                     r["signed_amount"] < 0)),
        (tr("Payee number"), lambda r: r["payee_number"] or ""),
        (tr("Payee"), lambda r: side(r["payee_number"], r["payee_name"],
                                     r["signed_amount"] > 0)),
        (tr("Memo"), lambda r: r["memo"] or ""),
        (tr("Correction of"), lambda r: f"T{r['reverses_id']}" if r["reverses_id"] else ""),
        (tr("Reason"), lambda r: r["reason"] or ""),
    ]
    posts: list[Column] = [
        (tr("Post"), lambda r: r["id"]),
        (tr("Date and time"), lambda r: _time(r["created_at"])),
        (tr("Community code"), lambda r: r["community_code"]),
        (tr("Kind"), lambda r: kind_label(tr, r["kind"])),
        (tr("Category"), lambda r: category_name(tr, r["category"])),
        (tr("Title"), lambda r: r["title"]),
        (tr("Description"), lambda r: r["description"]),
        (tr("Price"), lambda r: r["price"] if r["price"] is not None else ""),
        (tr("Status"), lambda r: post_status_name(tr, r["status"])),
        (tr("Until"), lambda r: _time(r["expires_at"])),
    ]
    signups: list[Column] = [
        (tr("Event"), lambda r: r["event_id"]),
        (tr("Community code"), lambda r: r["community_code"]),
        (tr("Kind"), lambda r: event_kind_name(tr, r["kind"])),
        (tr("Title"), lambda r: r["title"]),
        (tr("Start"), lambda r: _time(r["starts_at"])),
        (tr("Place"), lambda r: r["place"] or ""),
        (tr("Event status"), lambda r: event_status_name(tr, r["event_status"])),
        (tr("Sign-up"), lambda r: _signup_status(tr, r["status"])),
        (tr("Signed up at"), lambda r: _time(r["created_at"])),
        (tr("Attended"), lambda r: _time(r["attended_at"])),
    ]
    surveys: list[Column] = [
        (tr("Survey"), lambda r: f"S{r['survey_id']}"),
        (tr("Community code"), lambda r: r["community_code"]),
        (tr("Title"), lambda r: r["title"]),
        (tr("Anonymous"), lambda r: tr("Yes") if r["anonymous"] else tr("No")),
        (tr("Survey status"), lambda r: survey_status_name(tr, r["survey_status"])),
        (tr("Invited at"), lambda r: _time(r["invited_at"])),
        (tr("Reminded at"), lambda r: _time(r["reminded_at"])),
        (tr("My answers"), lambda r: _invite_state(tr, r["state"])),
    ]
    survey_answers: list[Column] = [
        (tr("Survey"), lambda r: f"S{r['survey_id']}"),
        (tr("Community code"), lambda r: r["community_code"]),
        (tr("Title"), lambda r: r["title"]),
        (tr("Number"), lambda r: r["position"]),
        (tr("Question"), lambda r: r["question"]),
        (tr("Answer"), lambda r: _survey_answer(tr, r)),
        (tr("Date and time"), lambda r: _time(r["answered_at"])),
    ]
    return {
        "profile": (profile, _profile_rows(tr, data)),
        "memberships": (memberships, data.memberships),
        "trades": (trades, data.trades),
        "posts": (posts, data.posts),
        "signups": (signups, data.signups),
        "surveys": (surveys, data.surveys),
        "survey_answers": (survey_answers, data.survey_answers),
    }


def left_out(data: MyData) -> int:
    """Rows not in the file because a list was longer than the limit."""
    shown = {"trades": len(data.trades), "posts": len(data.posts),
             "signups": len(data.signups), "surveys": len(data.surveys),
             "survey_answers": len(data.survey_answers)}
    return sum(max(0, total - shown[what]) for what, total in data.totals.items())


def zip_file(tr: Translator, data: MyData) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (columns, rows) in _tables(tr, data).items():
            missing = data.totals.get(name, len(rows)) - len(rows)
            tail = [tr("… and {count} more, not shown here.", count=missing)] if missing > 0 \
                else None
            archive.writestr(f"{name}.csv", csv_bytes(columns, rows, tail))
    return buffer.getvalue()
