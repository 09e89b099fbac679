"""The guided dialogs of shops: applying (name → category → address → hours → map → phone →
photo → share → cap → rounding → save), changing what a shop accepts (share → cap → rounding
→ save), changing its phone or photo, and adding a staff member. What is known waits in the
person's dialog row; Save ends the dialog in the same write transaction that applies, so two
taps apply once."""

from __future__ import annotations

from html import escape

from conversation import shop_keyboards as keys
from conversation.turn import Turn
from core.amounts import parse_amount
from core.dialogs import Dialog
from core.errors import DomainError
from core.membership import require_active_member
from core.organisation_rules import (
    DEFAULT_SHARE,
    clean_cap,
    clean_field,
    clean_map_url,
    clean_name,
    clean_phone,
    clean_share,
)
from core.organisations import Profile

APPLY = "shop_apply"
SETTINGS = "shop_settings"
STAFF = "shop_staff"
PROFILE = "shop_profile"  # the owner changes the phone (step "phone") or the photo ("photo")
DIALOGS = (APPLY, SETTINGS, STAFF, PROFILE)
_SKIPPABLE = ("category", "address", "hours", "map", "phone", "photo", "cap")


async def begin_application(turn: Turn) -> None:
    require_active_member(turn.actor)
    dialog = Dialog(APPLY, "name", {})
    await turn.services.dialogs.put(turn.actor.person.id, dialog)
    await turn.reply(turn.tr("Let's register your shop (가맹점). A coordinator approves it.")
                     + "\n" + _question(turn, dialog))


async def begin_settings(turn: Turn, organisation_id: int) -> None:
    organisation = await turn.services.organisations.staff_of(turn.actor, organisation_id)
    dialog = Dialog(SETTINGS, "share", {"shop": organisation.id})
    await turn.services.dialogs.put(turn.actor.person.id, dialog)
    await turn.reply(_question(turn, dialog))


async def begin_profile(turn: Turn, organisation_id: int, field: str) -> None:
    """The owner's 📞 Phone or 📷 Photo: send the new one, or remove it."""
    tr = turn.tr
    organisation = await turn.services.organisations.staff_of(turn.actor, organisation_id)
    if organisation.role not in ("owner", "coordinator"):
        raise DomainError("shop_owner_only")  # staff: staff_of let only them through
    if field == "photo" and not turn.event.channel.photos:
        await turn.reply(_no_photos(tr))
        return
    await turn.services.dialogs.put(turn.actor.person.id,
                                    Dialog(PROFILE, field, {"shop": organisation_id}))
    if field == "phone":
        question = tr("Write the shop's phone number (e.g. 02-123-4567).")
    else:
        question = tr("Send the shop's photo (it shows on its card).")
    await turn.reply(question, keys.profile(tr, removable=bool(
        organisation.phone if field == "phone" else organisation.photo_file_id)))


def _no_photos(tr) -> str:
    return tr("KakaoTalk can't send me photos, so the shop's photo can't be added here. You "
              "can add it later from /shop on Telegram.")


async def begin_staff(turn: Turn, organisation_id: int) -> None:
    await turn.services.organisations.staff_of(turn.actor, organisation_id)
    await turn.services.dialogs.put(turn.actor.person.id,
                                    Dialog(STAFF, "member", {"shop": organisation_id}))
    await turn.reply(turn.tr("Who should take payments here? Write their name or number "
                             "(e.g. #23). (/cancel to stop)"))


def _question(turn: Turn, dialog: Dialog) -> str:
    tr = turn.tr
    return {
        "name": tr("What is the shop's name? (/cancel to stop)"),
        "category": tr("What does it sell? (e.g. 떡집, 카페, 반찬가게)"),
        "address": tr("Its address?"),
        "hours": tr("Opening hours? (e.g. 매일 9시~20시)"),
        "map": tr("A map link (Naver or Kakao map), or tap Skip."),
        "phone": tr("A phone number for customers (e.g. 02-123-4567), or tap Skip."),
        "photo": tr("Send a photo of the shop if you like (it shows on its card), or tap "
                    "Skip.") if turn.event.channel.photos
        else _no_photos(tr) + " " + tr("Tap Skip to go on."),
        "share": tr("What share of a bill do you take in 품앗이, in percent? (e.g. 40)"),
        "cap": tr("The most in 품앗이 for one bill? Write an amount, or tap Skip for no cap."),
        "rounding": tr("The 품앗이 part is rounded down to a unit. Which one?"),
    }.get(dialog.step, "")


def _buttons(turn: Turn, dialog: Dialog):
    if dialog.step in _SKIPPABLE:
        return keys.skip(turn.tr)
    if dialog.step == "rounding":
        return keys.roundings(turn.tr)
    if dialog.step == "confirm":
        return keys.save(turn.tr)
    return None


_APPLY_STEPS = ("name", "category", "address", "hours", "map", "phone", "photo", "share", "cap",
                "rounding", "confirm")
_SETTINGS_STEPS = ("share", "cap", "rounding", "confirm")


async def _advance(turn: Turn, dialog: Dialog, **values) -> None:
    steps = _APPLY_STEPS if dialog.name == APPLY else _SETTINGS_STEPS
    step = steps[steps.index(dialog.step) + 1]
    moved = Dialog(dialog.name, step, {**dialog.data, **values})
    await turn.services.dialogs.put(turn.actor.person.id, moved)
    if step == "confirm":
        await turn.reply(_summary(turn, moved), keys.save(turn.tr))
        return
    await turn.reply(_question(turn, moved), _buttons(turn, moved))


def _summary(turn: Turn, dialog: Dialog) -> str:
    tr, data = turn.tr, dialog.data
    unit = turn.actor.community.unit if turn.actor.community else "문"
    lines = [tr("Please check:")]
    if "name" in data:
        lines.append(f"<b>{escape(data['name'])}</b> {escape(data.get('category') or '')}")
    lines.append(tr("Takes up to {share}% in 품앗이, rounded down to {rounding}",
                    share=data["share"], rounding=tr.amount(data["rounding"], unit)))
    if data.get("cap"):
        lines.append(tr("(at most {cap} a bill)", cap=tr.amount(data["cap"], unit)))
    if data.get("phone"):
        lines.append(tr("Phone: {phone}", phone=escape(data["phone"])))
    if data.get("photo"):
        lines.append(tr("📷 with a photo"))
    return "\n".join(lines)


async def on_text(turn: Turn, dialog: Dialog) -> None:
    text = turn.message_text.strip()
    if dialog.name == STAFF:
        member = await turn.services.organisations.add_staff(turn.actor, dialog.data["shop"],
                                                             text)
        await turn.services.dialogs.clear(turn.actor.person.id)
        await turn.reply(turn.tr("#{number} {name} can now take payments and see takings.",
                                 number=member.number, name=escape(member.display_name)))
        return
    step = dialog.step
    if dialog.name == PROFILE:
        if step == "phone":
            await _save_profile(turn, dialog, phone=clean_phone(text))
        else:
            await turn.reply(turn.tr("Please send a photo, or tap Cancel."))
        return
    unit = turn.actor.community.unit if turn.actor.community else "문"
    if step == "name":
        await _advance(turn, dialog, name=clean_name(text))
    elif step in ("category", "address", "hours"):
        await _advance(turn, dialog, **{step: clean_field(text)})
    elif step == "map":
        await _advance(turn, dialog, map=clean_map_url(text))
    elif step == "phone":
        await _advance(turn, dialog, phone=clean_phone(text))
    elif step == "share":
        await _advance(turn, dialog, share=clean_share(text))
    elif step == "cap":
        await _advance(turn, dialog, cap=clean_cap(parse_amount(text, unit)))
    else:
        await turn.reply(_question(turn, dialog) or turn.tr("Please use the buttons."),
                         _buttons(turn, dialog))


async def on_photo(turn: Turn, dialog: Dialog) -> None:
    """A photo at the photo step: the application's, or the owner's new one."""
    if dialog.step != "photo" or not turn.event.photo:
        await turn.reply(turn.tr("I wasn't expecting a photo now."))
    elif dialog.name == PROFILE:
        await _save_profile(turn, dialog, photo_file_id=turn.event.photo)
    else:
        await _advance(turn, dialog, photo=turn.event.photo)


async def _save_profile(turn: Turn, dialog: Dialog, **change) -> None:
    from conversation.flows.shops import show_menu

    changed = await turn.services.organisations.update(turn.actor, dialog.data["shop"], change)
    await turn.services.dialogs.clear(turn.actor.person.id)
    await turn.reply(turn.tr("✅ Saved."))
    await show_menu(turn, await turn.services.organisations.staff_of(turn.actor, changed.id))


async def on_button(turn: Turn) -> None:
    tr = turn.tr
    dialog = await turn.services.dialogs.get(turn.actor.person.id)
    if turn.data == "sha:cancel" or dialog is None or dialog.name not in (APPLY, SETTINGS,
                                                                           PROFILE):
        if turn.data == "sha:cancel":
            await turn.services.dialogs.clear(turn.actor.person.id)
            await turn.edit(tr("Stopped. Nothing was saved."))
        else:
            await turn.answer(tr("This step is over."), alert=True)
            await turn.drop_buttons()
        return
    if turn.data == "sha:clear" and dialog.name == PROFILE:
        await turn.drop_buttons()
        await _save_profile(turn, dialog, **{
            "phone" if dialog.step == "phone" else "photo_file_id": None})
    elif dialog.name == PROFILE:
        await turn.answer(tr("This step is over."))
        await turn.drop_buttons()
    elif turn.data == "sha:skip" and dialog.step in _SKIPPABLE:
        await turn.drop_buttons()
        await _advance(turn, dialog, **{dialog.step: None})
    elif turn.data.startswith("sha:r:") and dialog.step == "rounding":
        await turn.drop_buttons()
        await _advance(turn, dialog, rounding=int(turn.data.rsplit(":", 1)[1]))
    elif turn.data == "sha:save" and dialog.step == "confirm":
        await _save(turn, dialog)
    else:
        await turn.answer(tr("This step is over."))
        await turn.drop_buttons()


async def _save(turn: Turn, dialog: Dialog) -> None:
    from conversation.flows.shops import ask_coordinators, show_menu

    tr, data = turn.tr, dialog.data
    if dialog.name == SETTINGS:
        changed = await turn.services.organisations.update(
            turn.actor, data["shop"], {"share_percent": data["share"], "cap": data.get("cap"),
                                       "rounding": data["rounding"]})
        await turn.services.dialogs.clear(turn.actor.person.id)
        await turn.edit(tr("✅ Saved."))
        await show_menu(turn, await turn.services.organisations.staff_of(turn.actor,
                                                                         changed.id))
        return
    profile = Profile(
        name=data["name"], category=data.get("category") or "",
        address=data.get("address") or "", hours=data.get("hours") or "",
        map_url=data.get("map"), phone=data.get("phone"), photo_file_id=data.get("photo"),
        share_percent=data.get("share", DEFAULT_SHARE["merchant"]),
        cap=data.get("cap"), rounding=data["rounding"])
    organisation, coordinators = await turn.services.organisations.apply(
        turn.actor, profile, finishing=dialog)
    await turn.edit(tr("Thank you! Shop {number} {shop} is sent to the coordinators. I'll "
                       "tell you when it's decided.", number=organisation.number,
                       shop=escape(organisation.name)))
    await ask_coordinators(turn, organisation, coordinators)
