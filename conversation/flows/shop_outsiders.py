"""A shop opened (QR or `가게 1234`) by someone who cannot pay there now: they learn whose
shop it is and what to do next: switch to its community, wait for their application, see
a coordinator about their suspension, or ask how to join. The join code is never shown:
a coordinator gives it."""

from __future__ import annotations

from html import escape

from conversation.error_text import suspension_details
from conversation.limits import cut
from conversation.replies import Button, keyboard
from conversation.turn import Turn
from core.errors import DomainError
from core.organisation_reads import Standing
from core.organisation_rules import Organisation

SWITCH_PREFIX = "mer:sw:"
NAME_ON_BUTTON = 24


async def not_here(turn: Turn, organisation: Organisation, standing: Standing) -> None:
    if organisation.status in ("pending", "rejected"):
        raise DomainError("shop_not_found")  # not a shop of anyone's yet
    tr = turn.tr
    community = escape(standing.community.name)
    lines = [tr("🏪 {shop} is a shop of {community}.", shop=escape(organisation.name),
                community=community)]
    status = standing.status
    if status == "active" and organisation.status == "suspended":  # switching would not help
        lines.append(tr("This shop can't take 품앗이 payments right now. Please pay in cash, "
                        "or ask a coordinator."))
        await turn.reply("\n".join(lines))
        return
    if status == "active":  # a member there, using another community now
        current = turn.actor.community
        if current is not None:
            lines.append(tr("You're using {current} now.", current=escape(current.name)))
        lines.append(tr("Switch to {community} to pay there?", community=community))
        label = tr("🔄 Switch to {community}",
                   community=cut(standing.community.name, NAME_ON_BUTTON))
        await turn.reply("\n".join(lines),
                         keyboard([[Button(label, f"{SWITCH_PREFIX}{organisation.id}")]]))
        return
    if status == "suspended":
        error = await turn.services.membership.suspension_error(
            turn.actor.person.id, standing.community.id)
        lines.append(tr("Your membership in {community} is suspended, so you can't pay there.",
                        community=community))
        # names escaped here: the details are written into this HTML message as they are
        lines.append(suspension_details(tr, {
            **error.params, "contact_name": escape(error.params.get("contact_name") or ""),
            "contact_username": escape(error.params.get("contact_username") or "")}))
    elif status == "pending":
        lines.append(tr("Your application to {community} is still waiting for a coordinator, "
                        "so you can't pay there yet. I'll tell you when it's decided.",
                        community=community))
    else:
        if status == "left":
            lines.append(tr("You have left {community}, so you can't pay there.",
                            community=community))
        else:
            lines.append(tr("Only members of {community} can pay there with 품앗이.",
                            community=community))
        lines.append(tr("To join, ask the shop or a coordinator of {community} for the "
                        "community's code, then send /join CODE.", community=community))
    await turn.reply("\n".join(lines))
