"""Buttons of shops and institutions. Actions carry ids only; who acts comes from the event."""

from __future__ import annotations

from conversation.i18n import Translator
from conversation.replies import Button, Rows, keyboard
from core.organisation_rules import ROUNDINGS, Organisation


def decision(tr: Translator, organisation_id: int) -> Rows:
    return keyboard([[Button(tr("✅ Approve"), f"shp:ok:{organisation_id}"),
                      Button(tr("❌ Reject"), f"shp:no:{organisation_id}")]])


def skip(tr: Translator) -> Rows:
    return keyboard([[Button(tr("Skip"), "sha:skip"), Button(tr("Cancel"), "sha:cancel")]])


def roundings(tr: Translator) -> Rows:
    return keyboard([[Button(tr.number(unit), f"sha:r:{unit}") for unit in ROUNDINGS],
                     [Button(tr("Cancel"), "sha:cancel")]])


def profile(tr: Translator, *, removable: bool) -> Rows:
    """Under "send the new phone / photo": remove the one there is, or leave it."""
    row = [Button(tr("🗑 Remove"), "sha:clear")] if removable else []
    return keyboard([row + [Button(tr("Cancel"), "sha:cancel")]])


def save(tr: Translator) -> Rows:
    return keyboard([[Button(tr("✅ Save"), "sha:save"), Button(tr("Cancel"), "sha:cancel")]])


def card(tr: Translator, organisation: Organisation, *, coordinator: bool) -> Rows:
    """A member's buttons on a shop's card: pay; a coordinator's also suspend or resume."""
    rows = []
    if organisation.is_active and organisation.role is None:
        rows.append([Button(tr("💳 Pay here"), f"mpay:s:{organisation.id}")])
    if coordinator:
        rows.append([Button(tr("⛔ Suspend shop"), f"shm:off:{organisation.id}")
                     if organisation.is_active else
                     Button(tr("▶️ Resume shop"), f"shm:on:{organisation.id}")])
    return keyboard(rows)


def staff_menu(tr: Translator, organisation: Organisation) -> Rows:
    """The shop menu of its staff; the owner also gets the QR, settings, codes and staff."""
    ident = organisation.id
    rows = [[Button(tr("📊 Today's takings"), f"tk:d:{ident}"),
             Button(tr("📅 This month"), f"tk:m:{ident}")]]
    if organisation.role in ("owner", "coordinator"):
        rows += [[Button(tr("🖨 QR sign"), f"shm:qr:{ident}"),
                  Button(tr("⚙️ What I accept"), f"shm:set:{ident}")],
                 [Button(tr("🔄 New code"), f"shm:rot:{ident}"),
                  Button(tr("👥 Staff"), f"shm:staff:{ident}")],
                 [Button(tr("📞 Phone"), f"shm:phone:{ident}"),
                  Button(tr("📷 Photo"), f"shm:photo:{ident}")]]
    if organisation.kind == "institution":
        rows.append([Button(tr("📅 New programme"), f"shm:prog:{ident}")])
    return keyboard(rows)


def staff(tr: Translator, organisation_id: int, removable: list[tuple[int, str]]) -> Rows:
    """Add, and one Remove button per member (`removable`: membership id, label)."""
    rows = [[Button(tr("➕ Add staff"), f"shm:add:{organisation_id}")]]
    rows += [[Button(tr("➖ Remove {member}", member=label),
                     f"shm:rm:{organisation_id}:{membership_id}")]
             for membership_id, label in removable]
    return keyboard(rows)


def preview(tr: Translator, payment_id: int) -> Rows:
    return keyboard([[Button(tr("✅ Send"), f"mpay:ok:{payment_id}"),
                      Button(tr("Cancel"), f"mpay:no:{payment_id}")],
                     [Button(tr("✏️ Pay less in 품앗이"), f"mpay:less:{payment_id}")]])


def refund(tr: Translator, payment_id: int) -> Rows:
    return keyboard([[Button(tr("↩️ Refund"), f"mpay:rf:{payment_id}")]])


def refund_confirm(tr: Translator, payment_id: int) -> Rows:
    return keyboard([[Button(tr("↩️ Yes, refund"), f"mpay:rf:{payment_id}"),
                      Button(tr("Cancel"), "shm:no")]])


def rotate_confirm(tr: Translator, organisation: Organisation) -> Rows:
    """Carries the code it replaces, so a second tap changes nothing more."""
    return keyboard([[Button(tr("🔄 Yes, change the code"),
                             f"shm:rot2:{organisation.id}:{organisation.token}"),
                      Button(tr("Cancel"), "shm:no")]])
