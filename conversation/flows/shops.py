"""/shop: a member applies to register a shop (a guided dialog); its staff get the shop menu.
Coordinators decide applications with the buttons on the message (or in /approve) and
register public institutions with /institution."""

from __future__ import annotations

from html import escape

from conversation import shop_keyboards as keys
from conversation import shop_render
from conversation.flows import event_dialog, merchants, shop_dialog
from conversation.i18n import Translator
from conversation.limits import cut
from conversation.render import member_label
from conversation.shop_sign import qr_png, shop_link, sign_pdf
from conversation.turn import Turn, parse_id
from core.errors import DomainError
from core.membership import require_active_member
from core.organisation_rules import Organisation
from core.organisations import Profile


async def shop(turn: Turn) -> None:
    """The shop menu of each shop the member works for; else the application dialog."""
    require_active_member(turn.actor)
    mine = [o for o in await turn.services.organisations.mine(turn.actor)]
    if not mine:
        await shop_dialog.begin_application(turn)
        return
    for organisation in mine:
        await show_menu(turn, organisation)


async def show_menu(turn: Turn, organisation: Organisation) -> None:
    tr = turn.tr
    unit = turn.actor.community.unit if turn.actor.community else "문"
    if organisation.status == "pending":
        await turn.reply(tr("Your application for {shop} is waiting for a coordinator. I'll "
                            "tell you when it's decided.", shop=escape(organisation.name)))
        return
    await merchants.reply_card(
        turn, organisation, shop_render.card(tr, organisation, unit) + "\n"
        + tr("Balance: {balance}", balance=tr.amount(organisation.balance, unit)),
        keys.staff_menu(tr, organisation))


async def ask_coordinators(turn: Turn, organisation: Organisation, coordinators) -> None:
    applicant = escape(turn.actor.person.display_name)
    number = turn.actor.membership.number if turn.actor.membership else None
    unit = turn.actor.community.unit if turn.actor.community else "문"

    def render(tr: Translator) -> str:
        return shop_render.application_text(tr, organisation, f"#{number} {applicant}", unit)

    for coordinator in coordinators:
        await turn.notify(coordinator, render,
                          lambda tr: keys.decision(tr, organisation.id))


async def on_decision(turn: Turn) -> None:
    organisation_id = parse_id(turn.data)
    if organisation_id is None:
        return
    approve = turn.data.startswith("shp:ok:")
    decision = await turn.services.organisations.decide(turn.actor, organisation_id, approve)
    tr = turn.tr
    shop_name = escape(decision.organisation.name)
    number = decision.organisation.number
    if decision.approved:
        text = tr("✅ Shop {number} {shop} is approved.", number=number, shop=shop_name)
    else:
        text = tr("❌ Shop {number} {shop} was not approved.", number=number, shop=shop_name)
    if not decision.newly_decided:
        await turn.answer(tr("Another coordinator already decided this."))
    await turn.edit(text)
    if not decision.newly_decided:
        return
    for owner in decision.owners:
        if decision.approved:
            await turn.notify(owner, lambda tr: tr(
                "🎉 Your shop {shop} is approved as shop {number}. Send /shop for its menu and "
                "QR sign.", shop=shop_name, number=number))
        else:
            await turn.notify(owner, lambda tr: tr(
                "Sorry, your shop {shop} was not approved. Please ask a coordinator.",
                shop=shop_name))


async def institution(turn: Turn) -> None:
    """/institution NAME: a coordinator registers a public institution (active at once)."""
    tr = turn.tr
    name = " ".join(turn.args)
    if not name:
        await turn.reply(tr("Usage: /institution 마포구립도서관 (the institution's name)"))
        return
    organisation = await turn.services.organisations.register_institution(
        turn.actor, Profile(name=name, rounding=10))
    await turn.reply(tr("🏛 {shop} is registered as number {number}. Add its staff with the "
                        "buttons below.", shop=escape(organisation.name),
                        number=organisation.number))
    await show_menu(turn, Organisation(**{**organisation.__dict__, "role": "coordinator"}))


async def on_menu(turn: Turn) -> None:
    """The shop menu's buttons: QR sign, settings, new code, staff; a coordinator's
    suspend and resume."""
    data = turn.data
    tr = turn.tr
    if data == "shm:no":
        await turn.edit(tr("Nothing was changed."))
        return
    parts = data.split(":")
    if parts[1] == "rm" and len(parts) == 4 and all(
            part.isdigit() and len(part) <= 12 for part in parts[2:]):
        await remove_staff(turn, int(parts[2]), int(parts[3]))
        return
    if data.startswith("shm:rot2:"):
        await _rotate(turn, data)
        return
    organisation_id = parse_id(data)
    if organisation_id is None:
        return
    action = parts[1]
    services = turn.services.organisations
    if action in ("off", "on"):
        changed = await services.set_status(turn.actor, organisation_id, action == "on", "")
        await turn.answer(tr("Done."))
        await turn.reply(shop_render.card(tr, changed, turn.actor.community.unit))
    elif action == "qr":
        await send_sign(turn, await services.staff_of(turn.actor, organisation_id))
    elif action == "set":
        await shop_dialog.begin_settings(turn, organisation_id)
    elif action == "staff":
        await show_staff(turn, organisation_id)
    elif action == "add":
        await shop_dialog.begin_staff(turn, organisation_id)
    elif action in ("phone", "photo"):
        await shop_dialog.begin_profile(turn, organisation_id, action)
    elif action == "prog":
        organisation = await services.staff_of(turn.actor, organisation_id)
        await event_dialog.new_programme(turn, organisation.id, organisation.name)
    elif action == "rot":
        await turn.reply(tr("A new code makes the old QR signs stop working. Print the new "
                            "sign afterwards. Change it?"),
                         keys.rotate_confirm(tr, await services.staff_of(turn.actor,
                                                                         organisation_id)))


async def _rotate(turn: Turn, data: str) -> None:
    """`shm:rot2:<shop>:<the code it replaces>`: a double tap changes the code once."""
    parts = data.split(":")
    if len(parts) not in (3, 4) or not parts[2].isdigit() or len(parts[2]) > 12:
        return
    tr = turn.tr
    expected = parts[3] if len(parts) == 4 else None
    rotated, newly = await turn.services.organisations.rotate_codes_once(
        turn.actor, int(parts[2]), expected_token=expected)
    if not newly:
        await turn.answer(tr("The code was already changed."))
        await turn.edit(tr("🔄 The code was already changed. The shop code is 가게 {code}.",
                           code=rotated.short_code))
        return
    await turn.edit(tr("🔄 The code changed. The new shop code is 가게 {code}.",
                       code=rotated.short_code))
    await send_sign(turn, rotated)


async def show_staff(turn: Turn, organisation_id: int) -> None:
    """Who works at the shop, with Add and a Remove button for each."""
    tr = turn.tr
    organisation, staff = await turn.services.organisations.staff_list(turn.actor,
                                                                       organisation_id)
    lines = [tr("👥 Staff of {shop}", shop=escape(organisation.name))]
    for member, role in staff:
        lines.append(f"· {member_label(member, tr, in_list=True)} "
                     + (tr("(owner)") if role == "owner" else tr("(staff)")))
    if not staff:
        lines.append(tr("No one yet."))
    removable = [(member.membership_id, cut(member_label(member, tr, in_list=True), 30))
                 for member, _ in staff]
    await turn.reply("\n".join(lines), keys.staff(tr, organisation.id, removable))


async def remove_staff(turn: Turn, organisation_id: int, membership_id: int) -> None:
    tr = turn.tr
    organisation, member, removed = await turn.services.organisations.remove_staff(
        turn.actor, organisation_id, membership_id)
    if member is None:
        await turn.answer(tr("Already done."))
        await turn.drop_buttons()
        return
    shop = escape(organisation.name)
    await turn.reply(tr("{member} no longer takes payments at {shop}.",
                        member=member_label(member, tr), shop=shop))
    if member.person_id == turn.actor.person.id:
        return  # an owner who stepped down sees no staff list any more
    if removed:
        await turn.notify(member, lambda tr: tr(
            "You no longer take payments or see takings at {shop}.", shop=shop))
    await show_staff(turn, organisation_id)


async def send_sign(turn: Turn, organisation: Organisation) -> None:
    """The QR as a photo and the printable A6 sign as a PDF; deep links exist on Telegram."""
    tr = turn.tr
    start_link = turn.event.channel.start_link
    if not start_link:
        await turn.reply(tr("QR signs are made on Telegram (or with pumasi merchant qr). Here, "
                            "customers type 가게 {code}.", code=organisation.short_code))
        return
    if organisation.role not in ("owner", "coordinator"):
        organisation = await turn.services.organisations.staff_of(turn.actor, organisation.id)
        if organisation.role not in ("owner", "coordinator"):
            raise DomainError("shop_owner_only")  # staff: staff_of let only them through
    link = shop_link(start_link, organisation.token)
    await turn.photo(tr("QR for {shop}: customers scan it to pay here.",
                        shop=escape(organisation.name)),
                     content=qr_png(link), filename=f"shop-{organisation.number}.png")
    unit = turn.actor.community.unit if turn.actor.community else "문"
    await turn.file(sign_pdf(name=organisation.name, number=organisation.number,
                             short_code=organisation.short_code, unit=unit,
                             share_percent=organisation.share_percent, link=link),
                    f"shop-{organisation.number}-sign.pdf",
                    tr("Print this A6 sign for the counter."))
