"""The market: guided /offer and /request dialogs, /market browsing, post buttons."""

from __future__ import annotations

from html import escape

from conversation import keyboards, render
from conversation.flows.ledger import show_started
from conversation.i18n import Translator
from conversation.limits import CAPTION_MAX, TEXT_MAX
from conversation.turn import Turn, parse_id
from core.dialogs import Dialog
from core.market import CATEGORIES, clean_description, clean_price, clean_title
from core.membership import require_active_member
from core.models import PostView

POST_DIALOG = "post"
POST_TRADE_DIALOG = "post_trade"


# ----- the guided dialog ---------------------------------------------------------------

async def offer(turn: Turn) -> None:
    await _begin(turn, "offer")


async def request(turn: Turn) -> None:
    await _begin(turn, "request")


async def _begin(turn: Turn, kind: str) -> None:
    require_active_member(turn.actor)
    await turn.services.dialogs.put(
        turn.actor.person.id, Dialog(POST_DIALOG, "category", {"kind": kind})
    )
    tr = turn.tr
    intro = (tr("Let's post an offer (드려요): something you can give or do.") if kind == "offer"
             else tr("Let's post a request (구해요): something you need."))
    await turn.reply(intro + "\n" + tr("First, choose a category. (/cancel to stop)"),
                     keyboards.categories(tr))


async def cancel(turn: Turn) -> None:
    had_dialog = await turn.services.dialogs.clear(turn.actor.person.id)
    tr = turn.tr
    await turn.reply(tr("Stopped. Nothing was saved.") if had_dialog else
                     tr("There's nothing to cancel."), keyboards.main_menu(tr))


async def on_dialog_button(turn: Turn) -> None:
    data = turn.data
    tr = turn.tr
    dialog = await turn.dialog_for_button(
        POST_DIALOG, stopped=tr("Stopped. Nothing was saved."),
        over=tr("This step is over. Start again with /offer or /request."))
    if dialog is None:
        return
    if data.startswith("dlg:cat:") and dialog.step == "category":
        category = data.split(":", 2)[2]
        if category not in CATEGORIES:
            return
        await turn.edit(tr("Category: {category}", category=render.category_label(tr, category)))
        await _next(turn, dialog, "title", category=category)
    elif data == "dlg:skip" and dialog.step == "description":
        await turn.drop_buttons()
        await _next(turn, dialog, "price", description="")
    elif data == "dlg:nego" and dialog.step == "price":
        await turn.drop_buttons()
        await _next(turn, dialog, "photo", price=None)
    elif data == "dlg:skip" and dialog.step == "photo":
        await turn.drop_buttons()
        await _next(turn, dialog, "confirm", photo=None)
    elif data == "dlg:publish" and dialog.step == "confirm":
        await _publish(turn, dialog)
    else:
        await turn.answer(tr("This step is over."))
        await turn.drop_buttons()


async def on_dialog_text(turn: Turn, dialog: Dialog) -> None:
    tr = turn.tr
    text = turn.message_text
    if dialog.name == POST_TRADE_DIALOG:
        await _post_trade_amount(turn, dialog, text)
        return
    unit = turn.actor.community.unit if turn.actor.community else "문"
    if dialog.step == "title":
        await _next(turn, dialog, "description", title=clean_title(text))
    elif dialog.step == "description":
        await _next(turn, dialog, "price", description=clean_description(text))
    elif dialog.step == "price":
        await _next(turn, dialog, "photo", price=clean_price(text, unit))
    elif dialog.step == "photo":
        await turn.reply(tr("Please send a photo, or tap Skip."),
                         keyboards.dialog_skip(tr, tr("Skip")))
    else:
        await _prompt(turn, dialog)


async def on_dialog_photo(turn: Turn, dialog: Dialog) -> None:
    if dialog.name != POST_DIALOG or dialog.step != "photo" or not turn.event.photo:
        await turn.reply(turn.tr("I wasn't expecting a photo now."))
        return
    await _next(turn, dialog, "confirm", photo=turn.event.photo)


async def _next(turn: Turn, dialog: Dialog, step: str, **values) -> None:
    moved = Dialog(dialog.name, step, {**dialog.data, **values})
    await turn.services.dialogs.put(turn.actor.person.id, moved)
    await _prompt(turn, moved)


async def _prompt(turn: Turn, dialog: Dialog) -> None:
    tr = turn.tr
    step = dialog.step
    if step == "category":
        await turn.reply(tr("Please choose a category."), keyboards.categories(tr))
    elif step == "title":
        await turn.reply(tr("Write a short title (e.g. 아이 옷 나눔, 김치 담가 드려요)."))
    elif step == "description":
        await turn.reply(tr("Describe it in a few lines, or tap Skip."),
                         keyboards.dialog_skip(tr, tr("Skip")))
    elif step == "price":
        await turn.reply(tr("What's the price? Write an amount like 5000 or 1만, or tap "
                            "Negotiable."),
                         keyboards.dialog_skip(tr, tr("Negotiable"), "dlg:nego"))
    elif step == "photo":
        await turn.reply(tr("Send a photo if you like, or tap Skip."),
                         keyboards.dialog_skip(tr, tr("Skip")))
    elif step == "confirm":
        await turn.reply(_draft_text(tr, turn, dialog.data) + "\n\n" + tr("Shall I post this?"),
                         keyboards.post_publish(tr))


def _draft_text(tr: Translator, turn: Turn, data: dict) -> str:
    unit = escape(turn.actor.community.unit) if turn.actor.community else ""
    price = tr.amount(data["price"], unit) if data.get("price") else tr("negotiable")
    lines = [
        f"<b>{escape(data.get('title', ''))}</b>",
        f"{render.kind_label(tr, data['kind'])} · "
        f"{render.category_label(tr, data.get('category', 'other'))} · {price}",
    ]
    if data.get("description"):
        lines.append(escape(data["description"]))
    if data.get("photo"):
        lines.append(tr("📷 with a photo"))
    return "\n".join(lines)


async def _publish(turn: Turn, dialog: Dialog) -> None:
    data = dialog.data
    view = await turn.services.market.create_post(
        turn.actor, kind=data["kind"], category=data["category"], title=data["title"],
        description=data.get("description", ""), price=data.get("price"),
        photo_file_id=data.get("photo"), finishing=dialog,
    )
    tr = turn.tr
    await turn.edit(tr("✅ Posted! It stays on the market for 30 days.") + "\n\n"
                    + render.post_text(tr, view))
    await turn.reply(tr("See it with /market."), keyboards.main_menu(tr))
    text = tr("🆕 New on the market:") + "\n" + render.post_text(tr, view)
    for chat_id in await turn.services.notices.market_groups(view.community.id):
        await turn.to_group("telegram", str(chat_id), text)


# ----- browsing -------------------------------------------------------------------------

async def market(turn: Turn) -> None:
    await browse(turn, " ".join(turn.args))


async def browse(turn: Turn, words: str) -> None:
    page = await turn.services.market.search(turn.actor, words, 0)
    await turn.reply(render.market_text(turn.tr, page),
                     keyboards.market_nav(turn.tr, page.posts, page.page, page.has_more,
                                          page.words))


async def on_market_page(turn: Turn) -> None:
    parts = turn.data.split(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[1]) > 6:
        return
    _, page_text, words = parts
    page = await turn.services.market.search(turn.actor, words, int(page_text))
    await turn.edit(render.market_text(turn.tr, page),
                    keyboards.market_nav(turn.tr, page.posts, page.page, page.has_more,
                                         page.words))


async def on_post(turn: Turn) -> None:
    data = turn.data
    post_id = parse_id(data)
    if post_id is None:
        return
    action = data.split(":")[1]
    market_ = turn.services.market
    tr = turn.tr
    if action == "v":
        view = await market_.post(turn.actor, post_id)
        is_author = view.author.person_id == turn.actor.person.id
        markup = keyboards.post_actions(tr, view.post, is_author=is_author)
        if not is_author and view.post.status == "open" and (
                await turn.services.relay.accepts_messages(view.author.membership_id)):
            markup = keyboards.with_contact(tr, markup, f"rly:p:{post_id}")
        if view.post.photo_file_id:
            await _show_photo_post(turn, view, markup)
        else:
            await turn.reply(render.post_text(tr, view), markup)
    elif action == "close":
        view = await market_.close(turn.actor, post_id)
        await turn.answer(tr("Closed."))
        await turn.edit(render.post_text(tr, view, limit=_room(turn)),
                        keyboards.post_actions(tr, view.post, is_author=True))
    elif action == "renew":
        view = await market_.renew(turn.actor, post_id)
        await turn.answer(tr("Renewed for 30 days."))
        await turn.edit(render.post_text(tr, view, limit=_room(turn)),
                        keyboards.post_actions(tr, view.post, is_author=True))
    elif action == "trade":
        await _trade_from_post(turn, post_id)


async def _show_photo_post(turn: Turn, view: PostView, markup) -> None:
    """The photo with the post as its caption; a post too long for a caption (1,024) comes as
    the photo with its title, then the whole post as text with its buttons."""
    photo = view.post.photo_file_id
    if render.post_fits(turn.tr, view, CAPTION_MAX):
        await turn.photo(render.post_text(turn.tr, view), ref=photo, buttons=markup)
        return
    await turn.photo(f"<b>{escape(view.post.title)}</b>", ref=photo)
    await turn.reply(render.post_text(turn.tr, view), markup)


def _room(turn: Turn) -> int:
    """How long the tapped message may be: a photo's caption is shorter than a text."""
    return CAPTION_MAX if turn.event.on_photo else TEXT_MAX


async def _trade_from_post(turn: Turn, post_id: int) -> None:
    view = await turn.services.market.post(turn.actor, post_id)
    if view.post.price is None:
        await turn.services.dialogs.put(
            turn.actor.person.id, Dialog(POST_TRADE_DIALOG, "amount", {"post_id": post_id})
        )
        await turn.reply(turn.tr("The price is negotiable. How much did you agree on? "
                                 "(e.g. 5000, /cancel to stop)"))
        return
    trade = await turn.services.ledger.start_post_trade(
        turn.actor, post_id=post_id, amount=None, request_key=turn.request_key
    )
    await show_started(turn, trade)


async def _post_trade_amount(turn: Turn, dialog: Dialog, text: str) -> None:
    trade = await turn.services.ledger.start_post_trade(
        turn.actor, post_id=int(dialog.data["post_id"]), amount=text,
        request_key=turn.request_key, finishing=dialog,
    )
    await show_started(turn, trade)
