"""Joining a community, approving applications, switching community, creating one (admins)."""

from __future__ import annotations

from html import escape

from core.membership import JoinResult
from core.models import Member
from handlers.i18n import Translator
from handlers.telegram import keyboards
from handlers.telegram.common import Turn, parse_id

APPLICATIONS_SHOWN = 10  # one message each: a long queue comes a handful at a time


def join_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start=join_{code}"


async def join(turn: Turn) -> None:
    if not turn.args:
        await turn.reply(turn.tr("Please add the community code, e.g. /join mapo"))
        return
    await join_with_code(turn, turn.args[0])


async def join_with_code(turn: Turn, code: str) -> None:
    result = await turn.services.membership.join(turn.actor, code)
    await turn.refresh()
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
    data = turn.update.callback_query.data or ""
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
    community, members = await turn.services.membership.pending_applications(turn.actor)
    tr = turn.tr
    if not members:
        await turn.reply(tr("No applications waiting for {community}.",
                            community=escape(community.name)))
        return
    for member in members[:APPLICATIONS_SHOWN]:
        await turn.reply(
            tr("📝 {applicant} wants to join {community}.", applicant=_applicant_label(member),
               community=escape(community.name)),
            keyboards.application_decision(tr, member.membership_id),
        )
    if len(members) > APPLICATIONS_SHOWN:
        await turn.reply(tr("{count} more people are waiting. Please decide these first, then "
                            "send /approve again.", count=len(members) - APPLICATIONS_SHOWN))


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
    community_id = parse_id(turn.update.callback_query.data or "")
    if community_id is None:
        return
    community = await turn.services.membership.switch(turn.actor, community_id)
    await turn.edit(turn.tr("Now using {community}.", community=escape(community.name)))


async def new_community(turn: Turn) -> None:
    """/newcommunity CODE name words… (foundation admins only)."""
    tr = turn.tr
    if not turn.actor.is_admin:
        await turn.reply(tr("Only foundation admins can do that."))
        return
    if len(turn.args) < 2:
        await turn.reply(tr("Usage: /newcommunity CODE name, e.g. /newcommunity mapo 마포 품앗이"))
        return
    code, name = turn.args[0], " ".join(turn.args[1:])
    community = await turn.services.membership.create_community(
        code=code, name=name, actor=turn.actor
    )
    link = join_link(turn.context.bot.username, community.code)
    await turn.reply(
        tr("Created {community} (code {code}). You are its first coordinator.",
           community=escape(community.name), code=escape(community.code))
        + "\n" + tr("Invite members with this link: {link}", link=escape(link))
    )


