"""Free text outside a dialog, as residents write it, turned into one typed intent.

A deterministic grammar (no model, no network), tried in this order:

1. a sign-up or a cancellation with a number: `신청 2`, `2번 신청할게요`, `2번 취소`;
2. every word a yes or a no: `네`, `네 보내주세요`, `아니요` (confirm / cancel);
3. a whole known phrase, spaces and case ignored, after dropping leading words like
   `내`, `지금`, `show my` and request endings like `알려줘`, `보여 주세요`, `해요`, `이에요`:
   `잔액`, `얼마 남았어`, `거래 내역`, `학당`, `도움말`, `안녕하세요`, `balance`;
4. the market with search words: `장터 떡`, `장터에서 떡 찾아줘`, `떡 장터`, `떡 있어요?`;
5. pay or charge, with a verb at the end in Korean (`보내줘`, `송금`, `줘`, `요청해줘`,
   `받을래`, `달라고 해줘`) or at the start in English (`pay Kim 5000`, `send 5000 to Kim`):
   the member is the word with 한테/에게/께 (or `#23`, `@id`, or else the first word before
   the amount), the amount is the first run of words that `core.amounts` reads as one (so
   `일` or `오이` stay words), and what is left is the memo;
6. anything else is `unknown`, with the three most likely actions as suggestions.

The grammar knows no messenger; `yes` right after a preview is `confirm` here, and the
conversation decides what a confirm means where it is.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from conversation import phrases as ph
from core.amounts import DEFAULT_UNIT, amount_words
from core.directory import HONORIFICS, PARTICLES, strip_particles

INTENTS = ("balance", "history", "pay", "charge", "market", "sessions", "signup", "help",
           "cancel", "confirm", "greeting", "unknown")

_NAME_REF = re.compile(r"^(?:#\d{1,9}|\d{1,9}번|@[A-Za-z0-9_]{3,32})$")
_PUNCTUATION = re.compile(r"[!?~…;:\"'“”‘’()\[\]{}<>^]+|[ㅋㅎㅠㅜ]{2,}|(?<!\d)[.,]|[.,](?!\d)")
_STRIP_DEPTH = 8
_PARTICLES_AND_HONORIFICS = tuple(sorted(PARTICLES + HONORIFICS, key=len, reverse=True))


@dataclass(frozen=True)
class Intent:
    """What the person asked for. `member` and `amount` are the words as written (the
    conversation resolves them in the person's community); `words` are market search
    words; `number` is a session number; `suggestions` are intent names for `unknown`."""

    name: str
    member: str | None = None
    amount: str | None = None
    memo: str | None = None
    words: str | None = None
    number: int | None = None
    suggestions: tuple[str, ...] = ()


def parse_utterance(text: str, unit: str = DEFAULT_UNIT) -> Intent:
    """The intent of one message typed outside a dialog; `unit` is the community's unit."""
    raw = unicodedata.normalize("NFKC", text or "").strip()
    tokens = [t for t in _PUNCTUATION.sub(" ", raw).split() if t.casefold() not in ph.FILLERS]
    if not tokens:
        return Intent("help") if raw.startswith("?") else _unknown(raw, [], unit)
    folded = [t.casefold() for t in tokens]
    compact = "".join(folded)
    for parse in (_numbered, _yes_or_no, _phrase):
        intent = parse(compact, folded)
        if intent:
            return intent
    return (_market(tokens, folded) or _trade(tokens, unit)
            or _unknown(raw, tokens, unit))


def _numbered(compact: str, folded: list[str]) -> Intent | None:
    for variant in _variants(compact):
        for pattern in ph.SIGNUP:
            match = pattern.match(variant)
            if match:
                return Intent("signup", number=int(match.group(1)))
        match = ph.CANCEL_NUMBER.match(variant)
        if match:
            return Intent("cancel", number=int(match.group(1)))
    return None


def _yes_or_no(compact: str, folded: list[str]) -> Intent | None:
    for name in ("confirm", "cancel"):
        if len(folded) > 1 and all(_phrase_name(word) == name for word in folded):
            return Intent(name)
    return None


def _phrase(compact: str, folded: list[str]) -> Intent | None:
    name = _phrase_name(compact)
    return Intent(name) if name else None


def _phrase_name(compact: str) -> str | None:
    for variant in _variants(compact):
        for name, phrases in ph.PHRASES.items():
            if variant in phrases:
                return name
    return None


def _variants(compact: str) -> list[str]:
    """The text, then the text with known leading words and endings taken off one at a time,
    shortest changes first, so `잔액확인해주세요` reaches `잔액` but `확인` stays `확인`."""
    seen = [compact]
    frontier = [compact]
    for _ in range(_STRIP_DEPTH):
        following = []
        for text in frontier:
            cuts = [text[len(p):] for p in ph.PREFIXES if text.startswith(p) and text != p]
            cuts += [text[: -len(t)] for t in ph.TAILS if text.endswith(t) and text != t]
            for cut in cuts:
                if cut and cut not in seen:
                    seen.append(cut)
                    following.append(cut)
        frontier = following
    return seen


# ----- the market ----------------------------------------------------------------------------


def _market(tokens: list[str], folded: list[str]) -> Intent | None:
    first = folded[0]
    for word in ph.MARKET_WORDS:
        if first.startswith(word):
            rest = _drop_market_verbs([first[len(word):].removeprefix("에서"), *tokens[1:]])
            return Intent("market", words=" ".join(rest) or None)
    if len(tokens) > 1 and folded[-1] in ph.PHRASES["market"]:
        return Intent("market", words=" ".join(tokens[:-1]))
    if len(tokens) > 1 and ph.MARKET_ASK.match(folded[-1]) and not _member_index(tokens):
        asked = [t for t in tokens[:-1] if t not in ph.MARKET_ASK_FILLERS]
        if asked and not any(amount_words(asked[i:]) for i in range(len(asked))):
            return Intent("market", words=" ".join(asked))
    return None


def _drop_market_verbs(words: list[str]) -> list[str]:
    words = [w for w in words if w]
    while words and (ph.MARKET_VERB.match(words[-1]) or _is_ending(words[-1])):
        words.pop()
    return words


def _is_ending(word: str) -> bool:
    """True for a word that is only endings (`주세요`, `해줘`, `해 주세요`' `요`)."""
    frontier = {word.casefold()}
    for _ in range(_STRIP_DEPTH):
        following = set()
        for text in frontier:
            for tail in ph.TAILS:
                if text.endswith(tail):
                    if text == tail:
                        return True
                    following.add(text[: -len(tail)])
        frontier = following
    return False


# ----- pay and charge ------------------------------------------------------------------------


def _trade(tokens: list[str], unit: str) -> Intent | None:
    tokens = _unglue(tokens, unit)
    folded = [t.casefold() for t in tokens]
    if folded[0] in ph.PAY_EN or folded[0] in ph.CHARGE_EN:
        return _english_trade("pay" if folded[0] in ph.PAY_EN else "charge", tokens[1:], unit)
    for index in range(len(tokens) - 1, -1, -1):
        if _verb_kind(folded[index]) is None:
            continue
        while index > 0 and _verb_kind(folded[index - 1]):  # `보내 주세요`, `받아 줘`
            index -= 1
        kind = _verb_kind(folded[index])
        after = [t for t in tokens[index + 1:] if not _is_ending(t)]
        return _korean_trade(kind, tokens[:index], after, unit)
    return None


def _verb_kind(word: str) -> str | None:
    if ph.PAY_VERB.match(word):
        return "pay"
    if ph.CHARGE_VERB.match(word):
        return "charge"
    return None


def _unglue(tokens: list[str], unit: str) -> list[str]:
    """`김영희한테5천원보내줘` → `김영희한테 5천원 보내줘`: a verb glued to an amount or to
    a name with its particle, and an amount glued to the particle, are split off."""
    result: list[str] = []
    for token in tokens:
        result.extend(_unglue_one(token, unit))
    return result


def _unglue_one(token: str, unit: str) -> list[str]:
    for particle in PARTICLES:
        at = token.find(particle)
        if 0 < at and at + len(particle) < len(token):
            pieces = _unglue_one(token[at + len(particle):], unit)
            if amount_words(pieces[:1], unit) or _verb_kind(pieces[0].casefold()):
                return [token[: at + len(particle)], *pieces]
    for cut in range(1, len(token)):
        head, verb = token[:cut], token[cut:]
        if _verb_kind(verb.casefold()) and (
            _has_particle(head) or amount_words([head], unit) or head in ph.GENERIC_MONEY
        ):
            return [head, verb]
    return [token]


def _has_particle(word: str) -> bool:
    return strip_particles(word) != word


def _member_index(tokens: list[str]) -> list[int]:
    """Positions of the words naming the member: a word with a particle or honorific (and a
    bare particle word joins the word before it: `김영희 님한테`), or `#23`, `23번`, `@id`."""
    for index, token in enumerate(tokens):
        if index > 0 and _only_particles(token):
            return [index - 1, index]
        if _has_particle(token) or _NAME_REF.match(strip_particles(token)):
            return [index]
    return []


def _only_particles(word: str) -> bool:
    rest = word
    while rest:
        for suffix in _PARTICLES_AND_HONORIFICS:
            if rest.endswith(suffix):
                rest = rest[: -len(suffix)]
                break
        else:
            return False
    return True


def _korean_trade(kind: str, before: list[str], after: list[str], unit: str) -> Intent:
    while before and before[0] in ph.INTERJECTIONS:
        before = before[1:]
    member_at = _member_index(before)
    member = strip_particles(" ".join(before[i] for i in member_at)) if member_at else None
    rest = [t for i, t in enumerate(before) if i not in member_at]
    amount, memo_words = _find_amount(rest, unit)
    if member is None and amount is not None and rest and rest[0] != amount.split()[0]:
        member, memo_words = rest[0], memo_words[1:]  # `영희 오천원 보내`: no particle
    return _trade_intent(kind, member, amount, memo_words + after)


def _english_trade(kind: str, words: list[str], unit: str) -> Intent:
    words = list(words)
    member = None
    for index, word in enumerate(words[:-1]):
        if word.casefold() in ("to", "from"):
            member = words[index + 1]
            del words[index:index + 2]
            break
    if member is None and words and not amount_words(words, unit):
        member = words.pop(0)
    amount, memo_words = _find_amount(words, unit)
    if memo_words and memo_words[0].casefold() == "for":
        memo_words = memo_words[1:]
    return _trade_intent(kind, member, amount, memo_words)


def _find_amount(words: list[str], unit: str) -> tuple[str | None, list[str]]:
    """The first run of words that reads as an amount, and the other words in order."""
    for start in range(len(words)):
        size = amount_words(words[start:], unit)
        if size:
            return " ".join(words[start:start + size]), words[:start] + words[start + size:]
    return None, list(words)


def _trade_intent(kind: str, member: str | None, amount: str | None, memo: list[str]) -> Intent:
    memo = [w for w in memo if w.casefold() not in ph.GENERIC_MONEY]
    text = " ".join(memo).removesuffix("으로").strip() or None
    return Intent(kind, member=member or None, amount=amount, memo=text)


def _looks_like_a_name(word: str) -> bool:
    """Three Hangul syllables starting with a common family name (`김영희`): weak evidence."""
    return (len(word) == 3 and all("\uac00" <= char <= "\ud7a3" for char in word)
            and word[0] in ph.SURNAMES)


# ----- not understood -----------------------------------------------------------------------


def _unknown(raw: str, tokens: list[str], unit: str) -> Intent:
    """Three suggestions ranked by evidence: an amount → pay, charge; a name with 한테 →
    pay; words that hint at an action; else balance, market, help."""
    score = {name: 0 for name in ph.SUGGESTION_ORDER}
    score.update(balance=3, market=2, help=1)
    if any(amount_words(tokens[i:], unit) for i in range(len(tokens))):
        score["pay"] += 10
        score["charge"] += 9
    if _member_index(tokens):
        score["pay"] += 8
        score["charge"] += 7
    elif any(_looks_like_a_name(token) for token in tokens):
        score["pay"] += 4
    folded = raw.casefold()
    for name, hints in ph.HINTS.items():
        if any(hint in folded for hint in hints):
            score[name] += 6
    ranked = sorted(ph.SUGGESTION_ORDER, key=lambda name: (-score[name],
                                                           ph.SUGGESTION_ORDER.index(name)))
    return Intent("unknown", suggestions=tuple(ranked[:3]))
