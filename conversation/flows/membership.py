"""Joining a community, approving applications, switching community, creating one (admins)."""

from __future__ import annotations

from html import escape

from conversation import keyboards, render
from conversation.flows import naming, privacy
from conversation.i18n import Translator
from conversation.replies import keyboard
from conversation.shop_keyboards import decision as shop_decision
from conversation.shop_render import application_text as shop_application_text
from conversation.turn import Turn, parse_id
from core.amounts import parse_amount
from core.errors import DomainError
from core.membership import DEFAULT_APPROVAL, DEFAULT_FLOOR, CodeChange, JoinResult
from core.models import Member
from core.privacy import NOTICE_VERSION

APPLICATIONS_SHOWN = 10  # one message each: a long queue comes a handful at a time
# /newcommunity options, written key=value after the name (Korean keys too).
_FLOOR_KEYS = ("floor", "한도")
_APPROVAL_KEYS = ("approval", "승인")
_APPROVALS = {"auto": "auto", "자동": "auto", "coordinator": "coordinator",
              "운영위원": "coordinator"}


def join_link(turn: Turn, code: str) -> str:
    """A link that joins on a channel that has deep links; otherwise what to type."""
    start_link = turn.event.channel.start_link
    return f"{start_link}join_{code}" if start_link else f"/join {code}"


async def join(turn: Turn) -> None:
    if not turn.args:
        await turn.reply(turn.tr("Please add the community code, e.g. /join mapo"))
        return
    await join_with_code(turn, turn.args[0])


async def join_with_code(turn: Turn, code: str) -> None:
    """Someone met on a messenger that gives no name is asked for one first; someone not
    yet a member then reads the privacy notice; members are not asked again."""
    if not turn.actor.person.name_confirmed:
        await naming.ask(turn, code)
        return
    result = await turn.services.membership.join(turn.actor, code, consent_required=True)
    if result.status == "consent":
        community = result.community
        await privacy.ask_consent(turn, community.code, community.name, community.open_ledger)
        return
    await _answer_join(turn, result)


async def on_consent(turn: Turn) -> None:
    """The notice's buttons: only Agree joins (once, however often it is tapped), with the
    version of the notice that was shown recorded in the same transaction."""
    parsed = privacy.parse_consent(turn.data)
    if parsed is None:
        return
    agreed, version, code = parsed
    if not agreed:
        await privacy.declined(turn, code)
        return
    tr = turn.tr
    if version != NOTICE_VERSION:
        # The notice changed since it was shown: agreeing must be to the words now in force.
        await turn.answer(tr("The notice has changed. Please read it again."), alert=True)
        await join_with_code(turn, code)
        return
    result = await turn.services.membership.join(turn.actor, code, consent=version)
    if result.status in ("already", "waiting"):
        await turn.answer(tr("You've already agreed. Nothing more to do."))
        await turn.drop_buttons()
        return
    await turn.edit(
        privacy.notice_text(tr, escape(result.community.name),
                            open_ledger=result.community.open_ledger)
        + "\n\n" + tr("✅ You agreed on {date}.", date=tr.datetime(turn.services.clock.now())))
    await _answer_join(turn, result)


async def _answer_join(turn: Turn, result: JoinResult) -> None:
    await turn.refresh()
    if result.surveys:
        turn.wake("outbox")  # the open surveys' invitations, queued with the join
    tr = turn.tr
    community = escape(result.community.name)
    if result.status == "already":
        await turn.reply(tr("You're already a member of {community} (#{number}).",
                            community=community, number=result.member.number),
                         keyboards.main_menu(tr))
    elif result.status == "active":
        await turn.reply(
            tr("Welcome to {community}! Your member number is #{number}.",
               community=community, number=result.member.number)
            + "\n" + tr("Others can pay you with /pay #{number}. See /help to start.",
                        number=result.member.number),
            keyboards.main_menu(tr),
        )
    elif result.status == "waiting":
        await turn.reply(tr("Your application to {community} is waiting for a coordinator. "
                            "I'll tell you when it's decided.", community=community))
    else:
        await turn.reply(tr("Thank you! Your application to {community} has been sent to its "
                            "coordinators. I'll tell you when it's decided.",
                            community=community))
        if result.member.membership_id and result.coordinators:
            await _ask_coordinators(turn, result)


async def _ask_coordinators(turn: Turn, result: JoinResult) -> None:
    def render(tr: Translator) -> str:
        return tr("📝 {applicant} wants to join {community}.",
                  applicant=_applicant_label(result.member),
                  community=escape(result.community.name))

    for coordinator in result.coordinators:
        await turn.notify(
            coordinator, render,
            lambda tr: keyboards.application_decision(tr, result.member.membership_id),
        )


def _applicant_label(member: Member) -> str:
    handle = f" (@{escape(member.username)})" if member.username else ""
    return f"{escape(member.display_name)}{handle}"


async def on_application(turn: Turn) -> None:
    data = turn.data
    membership_id = parse_id(data)
    if membership_id is None:
        return
    approve = data.startswith("app:ok:")
    decision = await turn.services.membership.decide(turn.actor, membership_id, approve)
    tr = turn.tr
    community = escape(decision.community.name)
    applicant = _applicant_label(decision.member)
    if decision.approved:
        text = tr("✅ {applicant} joined {community} as #{number}.", applicant=applicant,
                  community=community, number=decision.member.number)
    else:
        text = tr("❌ {applicant}'s application to {community} was rejected.",
                  applicant=applicant, community=community)
    if not decision.newly_decided:
        await turn.answer(tr("Another coordinator already decided this."))
    await turn.edit(text)
    if decision.newly_decided:
        if decision.surveys:
            turn.wake("outbox")  # the open surveys' invitations, queued with the approval
        if decision.approved:
            await turn.notify(decision.member, lambda tr: tr(
                "🎉 Welcome! You've been approved for {community}. Your member number is "
                "#{number}. See /help to start.",
                community=community, number=decision.member.number))
        else:
            await turn.notify(decision.member, lambda tr: tr(
                "Sorry, your application to {community} was not approved. Please contact its "
                "coordinators if you have questions.", community=community))


async def applications(turn: Turn) -> None:
    """Applications waiting in every community the coordinator runs, each with its buttons."""
    waiting, total = await turn.services.membership.pending_applications(
        turn.actor, APPLICATIONS_SHOWN)
    tr = turn.tr
    shops_waiting = await turn.services.organisations.pending(turn.actor, APPLICATIONS_SHOWN)
    for organisation, community in shops_waiting:
        await turn.reply(shop_application_text(tr, organisation, escape(community.name),
                                               community.unit),
                         shop_decision(tr, organisation.id))
    if not waiting:
        if not shops_waiting:
            await turn.reply(tr("No applications are waiting."))
        return
    for application in waiting:
        await turn.reply(
            tr("📝 {applicant} wants to join {community}.",
               applicant=_applicant_label(application.member),
               community=escape(application.community.name)),
            keyboards.application_decision(tr, application.member.membership_id),
        )
    if total > len(waiting):
        await turn.reply(tr("{shown} of {total} applications shown. Decide these, then send "
                            "/approve again for the rest.", shown=len(waiting), total=total))


async def switch(turn: Turn) -> None:
    mine = await turn.services.membership.my_communities(turn.actor)
    active = [entry for entry in mine if entry.status == "active"]
    tr = turn.tr
    if not active:
        await turn.reply(tr("You're not in a community yet. Join with /join CODE (ask your "
                            "coordinator for the code)."))
        return
    choices = [
        (entry.community_id,
         f"{'✓ ' if entry.is_current else ''}{entry.name} (#{entry.number})")
        for entry in active
    ]
    await turn.reply(tr("Which community do you want to use?"), keyboards.community_choice(choices))


async def on_switch(turn: Turn) -> None:
    community_id = parse_id(turn.data)
    if community_id is None:
        return
    switched = await turn.services.membership.switch(turn.actor, community_id)
    await turn.edit(render.switched_text(turn.tr, switched))


async def new_community(turn: Turn) -> None:
    """/newcommunity CODE name words… [floor=-50000] [approval=auto] (foundation admins).
    Without options a community asks a coordinator to approve each member and gives no
    credit: spending below 0 is an explicit choice."""
    tr = turn.tr
    if not turn.actor.is_admin:
        await turn.reply(tr("Only foundation admins can do that."))
        return
    parsed = _community_options(turn.args[1:]) if turn.args else None
    if parsed is None or not parsed[0]:
        await turn.reply(_new_community_usage(tr))
        return
    words, floor, approval = parsed
    community = await turn.services.membership.create_community(
        code=turn.args[0], name=" ".join(words), actor=turn.actor, credit_floor=floor,
        approval=approval,
    )
    link = join_link(turn, community.code)
    await turn.reply(
        tr("Created {community} (code {code}). You are its first coordinator.",
           community=escape(community.name), code=escape(community.code))
        + "\n" + render.community_settings(tr, community)
        + "\n" + tr("Invite members with this link: {link}", link=escape(link))
    )


def _new_community_usage(tr: Translator) -> str:
    return (tr("Usage: /newcommunity CODE name [floor=-50000] [approval=auto], e.g. "
               "/newcommunity mapo 마포 품앗이")
            + "\n" + tr("Without options, a coordinator approves each new member and members "
                        "can't spend below 0. Add floor=-50000 to let them spend on credit, "
                        "approval=auto to let anyone with the code join at once "
                        "(한도=-5만 and 승인=자동 work too)."))


def _community_options(args: list[str]) -> tuple[list[str], int, str] | None:
    """Name words and the explicit choices; None when an option can't be read."""
    words, floor, approval = [], DEFAULT_FLOOR, DEFAULT_APPROVAL
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep:
            words.append(arg)
        elif key.lower() in _FLOOR_KEYS:
            digits = value.strip().lstrip("-")
            try:
                floor = 0 if digits == "0" else -parse_amount(digits, "문")
            except DomainError:
                return None
        elif key.lower() in _APPROVAL_KEYS and value.lower() in _APPROVALS:
            approval = _APPROVALS[value.lower()]
        else:
            return None
    return words, floor, approval


async def invite_code(turn: Turn) -> None:
    """/code shows the join code and link; /code NEW reason… changes it (coordinators)."""
    tr = turn.tr
    community, membership_ = turn.actor.community, turn.actor.membership
    if community is None or membership_ is None:
        raise DomainError("no_community")
    if not turn.args:
        if not membership_.is_coordinator:
            raise DomainError("not_coordinator")
        link = join_link(turn, community.code)
        await turn.reply(
            tr("The join code of {community} is {code}. Invite link: {link}",
               community=escape(community.name), code=escape(community.code),
               link=escape(link))
            + "\n" + tr("If the code has spread where it shouldn't, change it: /code NEW "
                        "reason, or tap below for a random one. Old codes and links then stop "
                        "working; members stay."),
            keyboard([[keyboards.button(
                tr("🔄 Make a new random code"), f"code:new:{community.id}:{community.code}")]]),
        )
        return
    change = await turn.services.membership.change_code(
        turn.actor, community.id, expected_code=community.code, new_code=turn.args[0],
        reason=" ".join(turn.args[1:]))
    await _code_changed(turn, change)


async def on_code(turn: Turn) -> None:
    parts = turn.data.split(":", 3)
    if len(parts) != 4 or not parts[2].isdigit() or len(parts[2]) > 12:
        return
    change = await turn.services.membership.change_code(
        turn.actor, int(parts[2]), expected_code=parts[3], new_code=None)
    await _code_changed(turn, change)


async def _code_changed(turn: Turn, change: CodeChange) -> None:
    tr = turn.tr
    community = change.community
    link = join_link(turn, community.code)
    if not change.changed:
        await turn.answer(tr("The code was already changed. It is now {code}.",
                             code=community.code), alert=True)
        await turn.drop_buttons()
        return
    name, code = escape(community.name), escape(community.code)
    await turn.edit(
        tr("The join code of {community} is now {code}. The old code and invite links no "
           "longer work; members stay members.", community=name, code=code)
        + "\n" + tr("Invite members with this link: {link}", link=escape(link)))
    changed_by = escape(turn.actor.person.display_name)
    for coordinator in change.coordinators:
        if coordinator.person_id == turn.actor.person.id:
            continue
        await turn.notify(coordinator, lambda tr: tr(
            "{name} changed the join code of {community} to {code}. Old codes and links no "
            "longer work. New invite link: {link}",
            name=changed_by, community=name, code=code, link=escape(link)))
