"""/experts [topic]: the shared expert pool, searched and paged, with a way out for an expert
who no longer wants to be listed; /expert (coordinators and admins): recommend, remove,
invite to host an event; the buttons of a member asked to consent or invited."""

from __future__ import annotations

from html import escape

from conversation import keyboards
from conversation.i18n import Translator
from conversation.replies import keyboard
from conversation.turn import Turn, parse_id
from core.errors import DomainError
from core.experts import PAGE, Expert, ExpertPage

button = keyboards.button
_ADD = ("add", "추천")
_REMOVE = ("remove", "삭제")
_INVITE = ("invite", "초대")
_KINDS = {"lecture": "lecture", "강의": "lecture", "consulting": "consulting",
          "컨설팅": "consulting", "방문컨설팅": "consulting"}
_TOPIC_BYTES = 40  # of a search carried in a page button (callback data ≤ 64 bytes)


def expert_line(tr: Translator, expert: Expert) -> str:
    line = tr("{number}. <b>{name}</b>", number=expert.id, name=escape(expert.name))
    if expert.organisation:
        line += " · " + escape(expert.organisation)
    line += "\n" + tr("   Topics: {topics}", topics=escape(expert.topics))
    if expert.contact:
        line += "\n" + tr("   Contact: {contact}", contact=escape(expert.contact))
    return line


def _cut_topic(topic: str) -> str:
    data = topic.encode()[:_TOPIC_BYTES]
    return data.decode(errors="ignore")


def _page_rows(tr: Translator, page: ExpertPage, topic: str) -> list:
    last = (page.total - 1) // PAGE if page.total else 0
    row = []
    if page.page > 0:
        row.append(button(tr("◀ Previous"), f"exp:pg:{page.page - 1}:{_cut_topic(topic)}"))
    if page.page < last:
        row.append(button(tr("Next ▶"), f"exp:pg:{page.page + 1}:{_cut_topic(topic)}"))
    return [row] if row else []


async def _show(turn: Turn, topic: str, number: int) -> None:
    tr = turn.tr
    page = await turn.services.experts.search(turn.actor, topic, number)
    if not page.experts:
        text = (tr("No expert in the pool has “{topic}” among their topics. Try another "
                   "word, or /experts for everyone.", topic=escape(topic)) if topic
                else tr("The expert pool is empty so far. Coordinators can recommend experts "
                        "with /expert."))
        rows: list = []
    else:
        head = (tr("<b>Experts on “{topic}”</b> ({count})", topic=escape(topic),
                   count=page.total) if topic
                else tr("<b>Expert pool</b> ({count}, shared by every community)",
                        count=page.total))
        text = "\n\n".join([head] + [expert_line(tr, expert) for expert in page.experts])
        rows = _page_rows(tr, page, topic)
    if turn.event.action is None:  # their own listings, to leave: shown with the first page
        for expert in await turn.services.experts.mine(turn.actor):
            rows.append([button(tr("Leave the expert pool ({number})", number=expert.id),
                                f"exp:wd:{expert.id}")])
    await turn.edit(text, keyboard(rows) if rows else None)


async def experts(turn: Turn) -> None:
    await _show(turn, " ".join(turn.args), 0)


def usage(tr: Translator) -> str:
    return tr(
        "<b>Expert pool</b>\n"
        "Recommend a member (they are asked to agree):\n"
        "/expert add #23 | topics | organisation | contact\n"
        "Recommend someone else (write when and how they agreed):\n"
        "/expert add Hong Gildong | topics | organisation | contact | agreed by phone on 3 "
        "March\n"
        "Invite an expert to host an event: /expert invite 3 lecture (or consulting) [note]\n"
        "Take someone out of the pool: /expert remove 3\n"
        "See the pool: /experts [topic]")


async def expert(turn: Turn) -> None:
    """/expert add|remove|invite …, for coordinators and admins."""
    tr = turn.tr
    args = turn.args
    action = args[0].lower() if args else ""
    if action in _ADD:
        await _recommend(turn, " ".join(args[1:]))
    elif action in _REMOVE and len(args) == 2 and args[1].isdigit():
        gone, changed = await turn.services.experts.withdraw(turn.actor, int(args[1]))
        await turn.reply(tr("{name} is no longer in the expert pool.", name=escape(gone.name))
                         if changed else tr("{name} was not in the pool.",
                                            name=escape(gone.name)))
    elif action in _INVITE and len(args) >= 3 and args[1].isdigit() and args[2] in _KINDS:
        await _invite(turn, int(args[1]), _KINDS[args[2]], " ".join(args[3:]))
    else:
        await turn.reply(usage(tr))


async def _recommend(turn: Turn, text: str) -> None:
    tr = turn.tr
    fields = [part.strip() for part in text.split("|")]
    if len(fields) < 2 or len(fields) > 5 or not fields[0]:
        await turn.reply(usage(tr))
        return
    fields += [""] * (5 - len(fields))
    done = await turn.services.experts.recommend(turn.actor, *fields)
    name = escape(done.expert.name)
    if done.member is None:
        await turn.reply(tr("{name} is in the expert pool now (number {number}), with the "
                            "consent you recorded.", name=name, number=done.expert.id))
        return
    if done.already:
        await turn.reply(tr("{name} was recommended before: they are listed, or have not "
                            "answered yet.", name=name))
        return
    expert_ = done.expert
    await turn.notify(done.member, lambda t: consent_question(t, expert_),
                      lambda t: keyboard([[button(t("✅ I agree"), f"exp:yes:{expert_.id}"),
                                           button(t("No, thank you"), f"exp:no:{expert_.id}")]]))
    await turn.reply(tr("I asked {name} whether they agree to be listed. They appear in the "
                        "pool only once they agree.", name=name))


def consent_question(tr: Translator, expert: Expert) -> str:
    return tr("You were recommended for the Pumasi expert pool, which every community can "
              "see:\n{line}\nMay we list you? You can leave the pool at any time with "
              "/experts.", line=expert_line(tr, expert))


async def _invite(turn: Turn, expert_id: int, kind: str, note: str) -> None:
    tr = turn.tr
    invitation = await turn.services.experts.invite(turn.actor, expert_id, kind, note)
    name = escape(invitation.expert.name)
    if invitation.expert_member is None:
        contact = escape(invitation.expert.contact) or tr("(no contact given)")
        await turn.reply(tr("{name} is not reachable in the bot. Please invite them "
                            "yourself: {contact}", name=name, contact=contact))
        return
    coordinator = escape(invitation.inviter.display_name)
    community = escape(turn.actor.community.name) if turn.actor.community else ""
    number = invitation.id

    def render(t: Translator) -> str:
        text = t("{coordinator} of {community} invites you to host {kind}.",
                 coordinator=coordinator, community=community,
                 kind=kind_name(t, kind))
        return text + (f"\n{escape(invitation.note)}" if invitation.note else "")

    await turn.notify(invitation.expert_member, render,
                      lambda t: keyboard([[button(t("✅ Accept"), f"exp:iok:{number}"),
                                           button(t("Decline"), f"exp:ino:{number}")]]))
    await turn.reply(tr("I sent {name} your invitation. I'll tell you their answer.",
                        name=name))


def kind_name(tr: Translator, kind: str) -> str:
    return tr("a study-session lecture") if kind == "lecture" else tr("a consulting visit")


async def on_button(turn: Turn) -> None:
    tr = turn.tr
    data = turn.data
    if data.startswith("exp:pg:"):
        parts = data.split(":", 3)
        page = int(parts[2]) if parts[2].isdigit() else 0
        await _show(turn, parts[3] if len(parts) > 3 else "", page)
        return
    number = parse_id(data)
    if number is None:
        await turn.answer(tr("This button no longer works. Please start again."), alert=True)
        return
    if data.startswith(("exp:yes:", "exp:no:")):
        agreed = data.startswith("exp:yes:")
        expert_, changed = await turn.services.experts.answer_consent(turn.actor, number, agreed)
        if not changed:
            await turn.answer(tr("You have answered this already."))
            await turn.drop_buttons()
            return
        await turn.edit(tr("Thank you! You are in the expert pool now. /experts shows it, and "
                           "lets you leave at any time.") if agreed
                        else tr("All right, you won't be listed."))
    elif data.startswith("exp:wd:"):
        expert_, changed = await turn.services.experts.withdraw(turn.actor, number)
        await turn.edit(tr("You have left the expert pool; you are no longer listed.")
                        if changed else tr("You are not in the expert pool."))
    elif data.startswith(("exp:iok:", "exp:ino:")):
        await _answer_invitation(turn, number, data.startswith("exp:iok:"))
    else:
        raise DomainError("expert_not_found")


async def _answer_invitation(turn: Turn, number: int, accept: bool) -> None:
    tr = turn.tr
    invitation = await turn.services.experts.answer_invitation(turn.actor, number, accept)
    if not invitation.changed:
        await turn.answer(tr("You have answered this already."))
        await turn.drop_buttons()
        return
    await turn.edit(tr("Thank you! I told the coordinator you accept.") if accept
                    else tr("All right, I told the coordinator you can't this time."))
    name = escape(invitation.expert.name)
    await turn.notify(invitation.inviter, lambda t: (
        t("{name} accepted your invitation to host {kind}.", name=name,
          kind=kind_name(t, invitation.kind)) if accept
        else t("{name} declined your invitation to host {kind}.", name=name,
               kind=kind_name(t, invitation.kind))))
