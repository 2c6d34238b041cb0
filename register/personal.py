"""Personal values as the privacy guard compares them: normalised tokens, and keyed hashes.

A value and any text it is looked for in go through the same :func:`words`: Unicode NFKC
(full-width letters, ligatures), case folding, accents removed, invisible characters (soft
hyphen, zero-width spaces, joiners, BOM) dropped, then split on everything that is not a letter
or digit (spaces of any kind, tabs, punctuation, '@'). A *token* is the concatenation of consecutive words; the guard compares the
concatenations of 1 to :data:`MAX_WORDS` consecutive words of a page against the tokens, so a
split word ('Ver beek', 'Ver\u00adbeek') or a joined one ('Johanna\u200bVerbeek') still matches,
and a token never matches inside a longer word.

What is looked for, per column (see :func:`tokens`):

- Naam: the whole name, the surname (all words after the first) and each surname word of at
  least :data:`MIN_WORD` letters ('Verbeek-Smit' -> 'verbeeksmit', 'verbeek'; 'smit' is too
  short to prove a leak).
- Telefoon: the national form and the +31/0031 forms (06-12345678 = 0612345678 =
  +31 6 12345678 = 0031612345678 = +31 (0)6 12345678).
- Postcode: '1234ab' (1234 AB = 1234AB = 1234 ab).
- E-mail: the address, also spelled with 'at' for '@' and 'dot' or 'punt' for the dots
  ('naam [at] domein [dot] nl', 'naam(at)domein.nl'), the same without the top-level domain,
  and the local part.
- Woonplaats, Adres, Correspondentie: the whole value.
- Free text (Omschrijving, Oplossing, Onderzoek, Motivering, Reden uitstel, Compensatie): every
  run of :data:`SHINGLE` consecutive words, or the whole value when it is shorter.

A single-word token that is a common word (our own page text, the config's lists, a few
Dutch words that are also place names such as 'Best') is not looked for: it would block every
build and proves nothing.

When complaints are anonymised their tokens are kept as HMAC-SHA256 hashes with a random
per-installation key in the private folder (:func:`remember`), never the values, so the guard
still recognises a name after the register has forgotten it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from .schema import MARKER, PERSONAL_KEYS

MAX_WORDS = 8  # longest run of words compared; a shingle plus two stray splits
SHINGLE = 6  # free text leaks as any run of this many consecutive words
MIN_CHARS = 5  # shorter tokens ('ja', '12') are too generic to prove a leak
MIN_WORD = 5  # a single surname word is looked for from this many letters
MIN_CITY = 3  # place names are short ('Ede', 'Oss')
FREE_TEXT = ("description", "extension_reason", "investigation", "motivation", "solution", "compensation")
#: Dutch words that are also surnames or place names; never looked for on their own.
COMMON_WORDS = frozenset("""
best echt born lent beek horn son elst goor hoorn haren rijs velp baarn doorn epe ede oss
mijl kamp heuvel molen brink dijk laan bakker visser smit mulder winter zomer koning
""".split())
KEY_FILE = "privacy-sleutel"
HASH_FILE = "privacy-kenmerken.txt"

# Combining marks left by NFKD, and invisible format characters (soft hyphen, zero-width
# space/joiners, direction marks, word joiner, BOM, tags).
_INVISIBLE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
                        "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]")
_WORD = re.compile(r"[^\W_]+")
_SEPARATOR = "\x00"


def normalise(text: str) -> str:
    """NFKC, case folded, accents and invisible characters removed (words still separated)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _INVISIBLE.sub("", unicodedata.normalize("NFKD", folded))


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    return _WORD.findall(normalise(text))


def words_many(values: list[str]) -> list[list[str]]:
    """:func:`words` of many values, normalising them as one string (fast for 50,000 cells)."""
    if not values:
        return []
    joined = normalise(_SEPARATOR.join(v.replace(_SEPARATOR, " ") for v in values))
    return [_WORD.findall(part) for part in joined.split(_SEPARATOR)]


def candidates(page_words: list[str], max_chars: int, max_words: int = MAX_WORDS) -> set[str]:
    """Every concatenation of 1..max_words consecutive words, up to max_chars characters."""
    found: set[str] = set(page_words)
    n = len(page_words)
    for i in range(n - 1):
        text = page_words[i]
        for j in range(i + 1, min(i + max_words, n)):
            text += page_words[j]
            if len(text) > max_chars:
                break
            found.add(text)
    return found


def _phone_tokens(ws: list[str]) -> list[str]:
    digits = "".join(w for w in ws if w.isdigit())
    if len(digits) != len("".join(ws)):  # letters in it: not a number, compare it as written
        return ["".join(ws)]
    if len(digits) < 9:  # too short to tell from the figures in a table
        return []
    if digits.startswith("0031"):
        digits = "0" + digits[4:].removeprefix("0")
    elif digits.startswith("31") and len(digits) >= 11:
        digits = "0" + digits[2:].removeprefix("0")
    elif len(digits) == 9 and digits[0] != "0":  # a spreadsheet ate the leading zero
        digits = "0" + digits
    if not digits.startswith("0") or digits.startswith("00"):
        return [digits]
    rest = digits[1:]
    return [digits, f"31{rest}", f"310{rest}", f"0031{rest}", f"00310{rest}"]


def tokens(key: str, ws: list[str], raw: str = "", common: frozenset[str] = frozenset()) -> list[str]:
    """The tokens that prove column ``key`` leaked, from the value's words ``ws``."""
    if not ws:
        return []
    whole = "".join(ws)
    found: list[str] = []
    if key == "name":
        found.append(whole)
        rest = ws[1:] if len(ws) > 1 else ws
        found.append("".join(rest))
        found.extend(w for w in rest if len(w) >= MIN_WORD and w.isalpha())
    elif key == "phone":
        found.extend(_phone_tokens(ws))
    elif key == "postcode":
        found.append(whole)
    elif key == "email":
        found.append(whole)
        local, _, domain = raw.partition("@")
        local_ws, domain_ws = words(local), words(domain)
        for at in ("", "at"):
            for dot in ("", "dot", "punt"):
                found.append(dot.join(local_ws) + at + dot.join(domain_ws))
            if local_ws and len(domain_ws) > 1:
                found.append("".join(local_ws) + at + "".join(domain_ws[:-1]))
        if len("".join(local_ws)) > MIN_CHARS:
            found.append("".join(local_ws))
    elif key == "city":
        return [whole] if len(whole) >= MIN_CITY and whole not in common and whole not in COMMON_WORDS else []
    elif key in FREE_TEXT and len(ws) >= SHINGLE:
        found.extend("".join(ws[i:i + SHINGLE]) for i in range(len(ws) - SHINGLE + 1))
    else:
        found.append(whole)
    # Only a phone number may be all digits: other digit runs are too easily made by the
    # figures of a table, whose cells become consecutive words.
    return [t for t in dict.fromkeys(found)
            if len(t) >= MIN_CHARS and t not in common and t not in COMMON_WORDS
            and (key == "phone" or not t.isdigit())]


def register_tokens(columns: dict[str, tuple[list[str], list[int]]],
                    common: frozenset[str] = frozenset()) -> dict[str, tuple[str, int]]:
    """Token -> (column key, sheet row of one occurrence), from ``{key: (values, rows)}``.

    The first column in PERSONAL_KEYS wins when two columns give the same token.
    """
    found: dict[str, tuple[str, int]] = {}
    for key in PERSONAL_KEYS:
        if key not in columns:
            continue
        values, rows = columns[key]
        unique: dict[str, int] = {}
        for value, row in zip(values, rows, strict=True):
            value = value.strip()
            if value and value != MARKER and value not in unique:
                unique[value] = row
        texts = list(unique)
        for value, ws in zip(texts, words_many(texts), strict=True):
            for token in tokens(key, ws, value, common):
                found.setdefault(token, (key, unique[value]))
    return found


def common_words(texts: Iterable[str]) -> frozenset[str]:
    """Tokens that must not count as leaks: every word and every whole value of ``texts``."""
    found: set[str] = set()
    for text in texts:
        ws = words(text)
        found.update(ws)
        found.add("".join(ws))
    return frozenset(found)


# -- keyed hashes of anonymised complaints -----------------------------------------------------
def _key(private_dir: Path, create: bool) -> bytes | None:
    path = private_dir / KEY_FILE
    if path.is_file():
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    if not create:
        return None
    private_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return key


def digest(key: bytes, token: str) -> str:
    return hmac.digest(key, token.encode("utf-8"), hashlib.sha256)[:16].hex()


def remember(private_dir: Path, all_tokens: Iterable[str]) -> int:
    """Add the keyed hashes of ``all_tokens`` to the private folder; returns how many are new."""
    key = _key(private_dir, create=True)
    assert key is not None
    path = private_dir / HASH_FILE
    known = set(path.read_text(encoding="ascii").split()) if path.is_file() else set()
    new = sorted({digest(key, t) for t in all_tokens} - known)
    if new:
        with path.open("a", encoding="ascii") as fh:
            fh.write("".join(f"{h}\n" for h in new))
            fh.flush()
            os.fsync(fh.fileno())
    return len(new)


def remembered(private_dir: Path) -> tuple[bytes, frozenset[str]] | None:
    """(key, hashes) kept for anonymised complaints, or None when nothing was anonymised."""
    path = private_dir / HASH_FILE
    key = _key(private_dir, create=False)
    if key is None or not path.is_file():
        return None
    return key, frozenset(path.read_text(encoding="ascii").split())


def rows_tokens(reg, rows: list[int]) -> Iterator[str]:
    """Every token of the personal values in these register rows (0-based positions)."""
    columns = {key: ([reg.text(key)[i] for i in rows], list(rows)) for key in PERSONAL_KEYS
               if key in reg.positions}
    yield from register_tokens(columns)
