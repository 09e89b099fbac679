"""What a Kakao skill response may hold (Kakao i Open Builder, skill response v2.0).

Counted in characters as Kakao shows them. Where Kakao's documents give a larger figure than
another component's (a textCard's description), the smaller one is kept for every card, so
a text that fits one card fits any of them."""

from __future__ import annotations

OUTPUTS_MAX = 3  # components (speech bubbles) in one response
QUICK_REPLIES_MAX = 10
LABEL_MAX = 14  # a quick reply's or a button's label
SIMPLE_TEXT_MAX = 1000
CARD_TITLE_MAX = 50
CARD_DESCRIPTION_MAX = 230
CARD_BUTTONS_MAX = 3
LIST_BUTTONS_MAX = 2  # under a listCard
CAROUSEL_BUTTONS_MAX = 2  # under each card of a carousel
LIST_ITEMS_MAX = 5
CAROUSEL_ITEMS_MAX = 10
ALT_TEXT_MAX = 1000
EXTRA_TOKEN_MAX = 64  # our own bound on a token carried in `extra`
