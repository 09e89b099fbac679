"""Every flow, registered in one place: commands, button actions, text, photos, files."""

from __future__ import annotations

import re

from conversation.app import Routes
from conversation.flows import (
    directory,
    event_dialog,
    events,
    experts,
    ledger,
    link,
    market,
    members,
    membership,
    merchants,
    notices,
    privacy,
    relay,
    report,
    router,
    settings,
    shop_dialog,
    shops,
    start,
    stats,
    stories,
    survey_admin,
    survey_builder,
    surveys,
    takings,
    talk,
    trade,
)
from conversation.turn import Flow, Turn

COMMANDS: dict[str, Flow] = {
    "start": start.start,
    "help": start.show_help,
    "lang": start.choose_language,
    "join": membership.join,
    "switch": membership.switch,
    "approve": membership.applications,
    "newcommunity": membership.new_community,
    "code": membership.invite_code,
    "whoami": start.whoami,
    "balance": ledger.balance,
    "history": ledger.history,
    "pay": trade.pay,
    "charge": trade.charge,
    "pending": ledger.pending,
    "reverse": ledger.reverse,
    "offer": market.offer,
    "request": market.request,
    "market": market.market,
    "cancel": market.cancel,
    "sessions": events.sessions,
    "mysessions": events.my_sessions,
    "calendar": events.calendar,
    "newevent": event_dialog.new_event,
    "checkin": events.checkin,
    "settings": settings.settings,
    "directory": directory.directory,
    "notice": notices.notice,
    "notices": notices.reports,
    "members": members.members,
    "suspend": members.suspend,
    "reactivate": members.reactivate,
    "limit": members.limit,
    "promote": members.promote,
    "audit": members.audit,
    "stats": stats.stats,
    "export": stats.export,
    "leave": privacy.leave,
    "mydata": privacy.my_data,
    "settle": privacy.settle,
    "erase": privacy.erase,
    "connect": link.connect,
    "survey": surveys.survey,
    "surveys": survey_admin.surveys,
    "shop": shops.shop,
    "merchants": merchants.merchants,
    "takings": takings.takings,
    "institution": shops.institution,
    "experts": experts.experts,
    "expert": experts.expert,
    "story": stories.story,
    "stories": stories.stories,
    "report": report.report,
}

ACTIONS: dict[str, Flow] = {
    r"^pay:(ok|no):": ledger.on_pay,
    r"^chg:(ok|no|x):": ledger.on_charge,
    r"^hist:": ledger.on_history,
    r"^rev:(ok|no):": ledger.on_reverse,
    r"^pend:": ledger.on_pending_page,
    r"^mkt:": market.on_market_page,
    r"^post:": market.on_post,
    r"^dlg:": market.on_dialog_button,
    r"^app:(ok|no):": membership.on_application,
    r"^lang:": start.on_language,
    r"^cm:": membership.on_switch,
    r"^code:new:": membership.on_code,
    r"^ev:": events.on_event,
    r"^eve:": event_dialog.start_edit,
    r"^evd:": event_dialog.on_button,
    r"^cal:": events.on_calendar,
    r"^set:": settings.on_settings,
    r"^ntc:": notices.on_button,
    r"^mem:": members.on_members_page,
    r"^aud:": members.on_audit_page,
    r"^dir:": directory.on_directory,
    r"^rly:": relay.on_button,
    r"^jn:(ok|no):": membership.on_consent,
    r"^lv:(ok|no):": privacy.on_leave,
    r"^er:(ok|no):": privacy.on_erase,
    r"^pick:": trade.on_pick,
    r"^go:": talk.on_go,
    r"^svy:": surveys.on_button,
    r"^svya:": survey_admin.on_button,
    r"^svyb:": survey_builder.on_button,
    r"^shp:(ok|no):": shops.on_decision,
    r"^sha:": shop_dialog.on_button,
    r"^shm:": shops.on_menu,
    r"^mer:": merchants.on_list,
    r"^mpay:": merchants.on_pay,
    r"^tk:": takings.on_button,
    r"^exp:": experts.on_button,
    r"^sty:": stories.on_button,
}


async def stale_button(turn: Turn) -> None:
    await turn.answer(turn.tr("This button no longer works. Please start again."), alert=True)


async def edited_message(turn: Turn) -> None:
    """An edit changes nothing (an edited `/pay #3 50000` must not pay again): one short note
    in a private chat, nothing in a group."""
    if turn.event.private:
        await turn.reply(turn.tr("I don't read edited messages. Please send a new one."))


ROUTES = Routes(
    commands=COMMANDS,
    actions=[(re.compile(pattern), flow) for pattern, flow in ACTIONS.items()],
    text=router.on_text,
    photo=router.on_photo,
    document=router.on_document,
    unknown_command=start.unknown_command,
    stale_action=stale_button,
    edited=edited_message,
    group_commands={"link": notices.link},
    group_other=notices.in_group,
)
