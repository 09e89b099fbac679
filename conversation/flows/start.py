"""Welcome, help, language and the main menu."""

from __future__ import annotations

from html import escape

from conversation import keyboards
from conversation.flows import membership, merchants
from conversation.i18n import Translator, translator
from conversation.shop_sign import SHOP_PREFIX
from conversation.turn import Turn
from core.errors import DomainError
from core.people import SUPPORTED_LOCALES

JOIN_PREFIX = "join_"


def help_text(tr: Translator, *, coordinator: bool) -> str:
    lines = [
        tr("<b>How to use 품앗이 봇</b>"),
        tr("Just write what you want, e.g. 잔액, 장터 떡, 김영희한테 5천원 보내줘, 학당, 신청 2, "
           "or use these commands:"),
        tr("/balance – your balance and limits"),
        tr("/history – your statement"),
        tr("/pay 김영희 5000 memo – pay a member (a name or #number)"),
        tr("/charge 김영희 5000 memo – ask a member to pay you"),
        tr("/pending – open requests"),
        tr("/offer – post an offer (드려요) · /request – post a request (구해요)"),
        tr("/market [words] – browse and search the market"),
        tr("/sessions – study sessions and meetings · /mysessions – my sign-ups"),
        tr("/calendar – this month's events · /checkin CODE – check in"),
        tr("/survey – answer a survey (or write 설문)"),
        tr("/directory [words] – members of your community · ✉️ Contact sends them a message"),
        tr("/experts [topic] – the expert pool · /story – nominate a best-practice story"),
        tr("/settings – reminders, what others see of you, messages"),
        tr("/connect – one account on KakaoTalk and Telegram (연결 on KakaoTalk)"),
        tr("/merchants – shops that take 품앗이 (가게 1234 opens a shop) · /shop – your shop "
           "· /takings – what your shop took"),
        tr("/join CODE – join a community · /switch – change community"),
        tr("/mydata – a copy of your data · /leave – leave this community"),
        tr("/lang – language · /cancel – stop what you're doing"),
        tr("/whoami – your Telegram user id (to be appointed coordinator)"),
    ]
    if coordinator:
        lines += [
            "",
            tr("<b>For coordinators</b>"),
            tr("/approve – applications waiting for you"),
            tr("/code – the join code and invite link · /code NEW reason – change it"),
            tr("/members [words] – members, balances, last activity"),
            tr("/suspend, /reactivate, /limit, /promote #23 … · /audit – the log"),
            tr("/notice – send a notice · /notices – delivery reports"),
            tr("/surveys – build, send and read surveys"),
            tr("/stats – figures and chart · /export [from to] – CSV and XLSX files"),
            tr("/reverse T12 reason – undo a transfer made by mistake"),
            tr("/settle #23 reason – bring a balance to 0 · /erase #23 reason – erase a "
               "former member's name"),
            tr("/newevent – schedule a study session, meeting or field trip"),
            tr("/institution NAME – register a public institution (공공기관)"),
            tr("/expert – recommend or invite an expert · /stories – select a best-practice "
               "story"),
            tr("/report [year] – the year's report, PDF and XLSX (foundation admins)"),
        ]
    return "\n".join(lines)


async def start(turn: Turn) -> None:
    payload = turn.args[0] if turn.args else ""
    if payload.startswith(JOIN_PREFIX):
        await membership.join_with_code(turn, payload[len(JOIN_PREFIX):])
        return
    if payload.startswith(SHOP_PREFIX):  # a shop's counter QR
        await merchants.open_by_token(turn, payload[len(SHOP_PREFIX):])
        return
    tr = turn.tr
    name = escape(turn.actor.person.display_name)
    membership_ = turn.actor.membership
    if turn.actor.community is not None and membership_ is not None and (
        membership_.status in ("pending", "suspended")
    ):
        # Not "you're in …": what they can do depends on the application or suspension.
        await turn.reply(tr("Hello, {name}!", name=name))
        if membership_.status == "pending":
            raise DomainError("membership_pending", community=turn.actor.community.name)
        raise DomainError("membership_suspended", community=turn.actor.community.name)
    if turn.actor.community is None or membership_ is None or not membership_.is_active:
        await turn.reply(
            tr("Hello, {name}! I'm the 품앗이 bot for trading in your local community currency.",
               name=name)
            + "\n"
            + tr("To begin, open the join link from your coordinator or send /join CODE."),
            keyboards.main_menu(tr),
        )
        return
    await turn.reply(
        tr("Hello, {name}! You're in {community}. Choose from the menu below or see /help.",
           name=name, community=escape(turn.actor.community.name)),
        keyboards.main_menu(tr),
    )


async def whoami(turn: Turn) -> None:
    """The person's Telegram user id, exactly as `pumasi coordinator add` takes it."""
    if turn.event.sender.channel != "telegram":
        await turn.reply(turn.tr("/whoami shows a Telegram user id; please ask in Telegram."))
        return
    user_id = turn.event.sender.external_id
    await turn.reply(
        turn.tr("Your Telegram user id is <code>{user_id}</code>.", user_id=user_id)
        + "\n" + turn.tr(
            "To appoint you as a coordinator, the foundation admin runs:\n"
            "<code>pumasi coordinator add --community CODE --telegram-id {user_id}</code>\n"
            "Once you are a member, a coordinator of your community can also use /promote.",
            user_id=user_id))


async def show_help(turn: Turn) -> None:
    membership_ = turn.actor.membership
    await turn.reply(
        help_text(turn.tr, coordinator=bool(membership_ and membership_.is_coordinator)),
        keyboards.main_menu(turn.tr),
    )


async def choose_language(turn: Turn) -> None:
    await turn.reply(turn.tr("Choose your language."), keyboards.language_choice())


async def on_language(turn: Turn) -> None:
    data = turn.data
    locale = data.split(":", 1)[-1]
    if locale not in SUPPORTED_LOCALES:
        await turn.answer()
        return
    await turn.services.people.set_locale(turn.actor.person.id, locale)
    tr = translator(locale)
    await turn.answer(tr("Language changed."))
    await turn.edit(tr("I'll speak English from now on.") if locale == "en" else
                    tr("I'll speak Korean from now on."))
    await turn.reply(tr("Menu updated."), keyboards.main_menu(tr))


async def unknown_command(turn: Turn) -> None:
    await turn.reply(turn.tr("I don't know that command. See /help for what I can do."))


async def not_understood(turn: Turn) -> None:
    await turn.reply(turn.tr("I didn't understand that. Choose from the menu or see /help."),
                     keyboards.main_menu(turn.tr))


