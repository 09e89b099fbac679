"""What the market's full-text index (FTS5, table posts_search) holds for a post, and the
MATCH expression for a search: the one definition of both, used by storage/posts.py, by the
migration's backfill (as the SQL function post_search_terms) and by `verify`.

A search word must be found inside longer words, as LIKE '%word%' finds it ('떡' in '떡볶이',
'김치' in '배추김치'), which SQLite's tokenizers cannot do for one or two Hangul syllables. So
each field is indexed as the sequence of its overlapping two-character pieces (bigrams), and a
word of n ≥ 2 characters is searched as the phrase of its n − 1 bigrams: consecutive bigrams
overlap by one character, so the phrase matches exactly where the word is a substring. A word
of one character is searched among the field's single characters.

Every piece is written as hexadecimal code points, so FTS5's unicode61 tokenizer keeps it one
token whatever it contains (spaces, punctuation) and folds nothing; ASCII letters are folded
here, as LIKE folds them and nothing else. The kinds of token cannot be mistaken for each
other: a bigram holds an 'x' between two hex numbers, a single character starts with 'u', the
category with 'k', the community with 'q', and 'z' separates the title's bigrams from the
description's so no phrase runs across them."""

from __future__ import annotations

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
SEPARATOR = "z"


def _hex(char: str) -> str:
    return format(ord(char), "x")


def _bigrams(text: str) -> list[str]:
    return [f"{_hex(a)}x{_hex(b)}" for a, b in zip(text, text[1:], strict=False)]


def _category(category: str) -> str:
    """Matched exactly, case and all, like `category = word`."""
    return "k" + "x".join(_hex(char) for char in category)


def post_search_terms(community_id: int, category: str, title: str, description: str) -> str:
    """The indexed text of one open post."""
    title, description = title.translate(_ASCII_LOWER), description.translate(_ASCII_LOWER)
    singles = sorted({f"u{_hex(char)}" for char in title + description})
    return " ".join([f"q{community_id}", _category(category), SEPARATOR, *_bigrams(title),
                     SEPARATOR, *_bigrams(description), SEPARATOR, *singles])


def search_match(community_id: int, words: list[str]) -> str:
    """The MATCH expression for posts of the community holding every word in their title or
    description, or having it as their category."""
    clauses = [f'"q{community_id}"']
    for word in filter(None, words):
        folded = word.translate(_ASCII_LOWER)
        text = '"' + (" ".join(_bigrams(folded)) if len(folded) > 1 else f"u{_hex(folded)}") + '"'
        clauses.append(f'({text} OR "{_category(word)}")')
    return " AND ".join(clauses)


# PostgreSQL keeps the same terms in a tsvector (migrations_pg/014). Both are written as
# literals, not parsed by a text search configuration, so each term stays exactly one lexeme
# at its position (a phrase is consecutive positions, `<->`), as FTS5 keeps them.
_PG_LAST_POSITION = 16383  # tsvector's; a longer text's tail shares the last position


def pg_terms(terms: str) -> str:
    """The tsvector literal of `post_search_terms`'s text."""
    return " ".join(f"'{term}':{min(position, _PG_LAST_POSITION)}"
                    for position, term in enumerate(terms.split(), start=1))


def pg_search_query(community_id: int, words: list[str]) -> str:
    """The tsquery literal that `search_match` is for FTS5."""
    clauses = [f"'q{community_id}'"]
    for word in filter(None, words):
        folded = word.translate(_ASCII_LOWER)
        pieces = _bigrams(folded) if len(folded) > 1 else [f"u{_hex(folded)}"]
        text = " <-> ".join(f"'{piece}'" for piece in pieces)
        clauses.append(f"(({text}) | '{_category(word)}')")
    return " & ".join(clauses)
