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
- Every personal column (PERSONAL_KEYS; for the free texts Omschrijving, Oplossing, Onderzoek,
  Motivering, Reden uitstel, Compensatie this is what counts): the whole value, and every run
  of :data:`SHINGLE` consecutive words of a longer one.

A single-word token that is a common word (our own page text, the config's lists, a few
Dutch words that are also place names such as 'Best') is not looked for: it would block every
build and proves nothing.

When complaints are anonymised their tokens are kept as HMAC-SHA256 hashes with a random
per-installation key in the private folder (:func:`remember`), never the values, so the guard
still recognises a name after the register has forgotten it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .policy import MIN_TOKEN, PERSONAL_KEYS

if TYPE_CHECKING:
    from .model import Register

MAX_WORDS = 8  # longest run of words compared; a shingle plus two stray splits
SHINGLE = 6  # free text leaks as any run of this many consecutive words
MIN_CHARS = MIN_TOKEN  # shorter tokens ('ja', '12') are too generic to prove a leak
MIN_WORD = 5  # a single surname word is looked for from this many letters
MIN_CITY = 3  # place names are short ('Ede', 'Oss')
#: Dutch words that are also surnames or place names; never looked for on their own.
COMMON_WORDS = frozenset("""
best echt born lent beek horn son elst goor hoorn haren rijs velp baarn doorn epe ede oss
mijl kamp heuvel molen brink dijk laan bakker visser smit mulder winter zomer koning
""".split())
SPELLED = frozenset({"at", "dot", "punt", "apenstaartje"})  # typed for '@' and '.'
KEY_FILE = "privacy-sleutel"
HASH_FILE = "privacy-kenmerken.txt"

# Combining marks left by NFKD, and invisible format characters (soft hyphen, zero-width
# space/joiners, direction marks, word joiner, BOM, tags).
_INVISIBLE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
                        "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
                        "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f]")
_SEPARATOR = "\x00"
_MARKER_TOKEN = "geanonimiseerd"  # what MARKER normalises to: never a personal value


def normalise(text: str) -> str:
    """NFKC, case folded, accents and invisible characters removed (words still separated)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _INVISIBLE.sub("", unicodedata.normalize("NFKD", folded))


_ASCII_SEPARATORS = {i: " " for i in range(1, 128) if not chr(i).isalnum()}


def _spaced(text: str) -> str:
    """Every character that is not a letter or digit as a space (the separator NUL kept); as
    one str.translate, many times faster than a Unicode regular expression on a large text."""
    table = dict(_ASCII_SEPARATORS)
    table.update((ord(c), " ") for c in set(text) if ord(c) > 127 and not c.isalnum())
    return text.translate(table)


@functools.lru_cache(maxsize=64)
def spaced_column(text: str) -> str:
    """:func:`normalise` then every separator a space, for a whole column joined into one
    string; remembered, so the controleer boundary check and the site's guard in one run
    normalise the register's columns once."""
    return _spaced(normalise(text))


def words(text: str) -> list[str]:
    """The normalised words of a text."""
    return _spaced(normalise(text)).split()


def canonical_phone(digits: str, register: bool = False) -> str:
    """'0612345678' for 0612345678, 31612345678, 310612345678, 0031612345678; '' when the text
    is not a phone number. ``register``: a 9-digit number lost its leading zero in a
    spreadsheet (never assumed for page text, where figures of a table join into such runs)."""
    if not digits.isdigit() or len(digits) < 9:
        return ""
    if digits.startswith("0031"):
        digits = "0" + digits[4:].removeprefix("0")
    elif digits.startswith("31") and len(digits) >= 11:
        digits = "0" + digits[2:].removeprefix("0")
    elif register and len(digits) == 9 and digits[0] != "0":
        digits = "0" + digits
    return digits if len(digits) >= 9 else ""


def candidates(page_words: list[str], max_chars: int, max_words: int = MAX_WORDS) -> set[str]:
    """What a page could hold a token as: every concatenation of 1..max_words consecutive
    words (up to max_chars characters), the same once more without the words people type for
    '@' and '.' ('naam [at] domein [dot] nl'), and phone numbers in their national form."""
    found: set[str] = set()
    spelled = [w for w in page_words if w not in SPELLED]
    for sequence in (page_words, spelled) if len(spelled) < len(page_words) else (page_words,):
        found.update(sequence)
        if len(sequence) < 2:
            continue
        # All runs of the same length at once (numpy joins the strings in its C loop).
        single = np.array(sequence, dtype=object)
        lengths = np.fromiter(map(len, sequence), dtype=np.int64, count=len(sequence))
        text, size = single, lengths
        for extra in range(1, min(max_words, len(sequence))):
            text, size = text[:-1] + single[extra:], size[:-1] + lengths[extra:]
            fits = size <= max_chars
            if not fits.any():
                break
            found.update(text[fits].tolist())
    found.update(canonical_phone(c) for c in [c for c in found if c.isdigit() and 11 <= len(c) <= 15])
    return found


def shingles(page_words: list[str]) -> set[str]:
    """Every run of SHINGLE consecutive words, space-separated."""
    return {" ".join(page_words[i:i + SHINGLE]) for i in range(len(page_words) - SHINGLE + 1)}


def _valid(token: str, key: str, common: frozenset[str]) -> bool:
    # Only a phone number may be all digits: other digit runs are too easily made by the
    # figures of a table, whose cells become consecutive words.
    return (len(token) >= (MIN_CITY if key == "city" else MIN_CHARS) and token not in common
            and token != _MARKER_TOKEN
            and token not in COMMON_WORDS and (key == "phone" or not token.isdigit()))




def register_tokens(columns: dict[str, tuple[list[str], list[int]]], common: frozenset[str] = frozenset(),
                    page: set[str] | None = None,
                    page_shingles: set[str] | None = None) -> dict[str, tuple[str, int]]:
    """Token -> (column key, sheet row of one occurrence), from ``{key: (values, rows)}``.

    With ``page`` (the :func:`candidates` of the built site) and ``page_shingles``, only the
    tokens found there are returned, computed over whole columns at once: a 50,000-row register
    costs a few regular-expression passes and set look-ups, not a Python loop per token. The
    first column in PERSONAL_KEYS wins when two columns give the same token.
    """
    found: dict[str, tuple[str, int]] = {}
    streams: list[tuple[str, str, list[int]]] = []  # (key, normalised column text, rows) for the shingles

    def add(key: str, family: list[str], rows: list[int]) -> None:
        if page is None:
            first = dict(zip(reversed(family), reversed(rows), strict=True))  # token -> its first row
            for token in first:
                if token and token not in found and _valid(token, key, common):
                    found[token] = (key, first[token])
            return
        for token in page.intersection(family):  # a C-speed pass; the rows only for the few hits
            if token and token not in found and _valid(token, key, common):
                found[token] = (key, rows[family.index(token)])

    for key in PERSONAL_KEYS:
        if key not in columns:
            continue
        values, rows = columns[key]
        if not values:
            continue
        joined = _SEPARATOR.join(values)
        if joined.count(_SEPARATOR) != len(values) - 1:  # a value holding the separator itself
            joined = _SEPARATOR.join(v.replace(_SEPARATOR, " ") for v in values)
            values = joined.split(_SEPARATOR)
        # Blank cells give empty tokens and the anonymisation MARKER an invalid one (_valid):
        # no per-cell filtering in Python.
        spaced = spaced_column(joined)  # one string for the whole column
        whole = spaced.replace(" ", "").split(_SEPARATOR)
        if key == "phone":
            add(key, [canonical_phone(t, register=True) or t for t in whole], rows)
            continue
        add(key, whole, rows)
        if key == "name":  # the surname: every word after the first, together and one by one
            parts = [part.strip() for part in spaced.split(_SEPARATOR)]
            after_first = _SEPARATOR.join(part.partition(" ")[2] for part in parts)
            add(key, after_first.replace(" ", "").split(_SEPARATOR), rows)
            # Each word of a name that is not only ever a first name; with a page, only its
            # words are looked at (the rest of the register never is).
            if page is None:
                first: dict[str, int] = {}
                for part, row in zip(parts, rows, strict=True):
                    ws = part.split()
                    for w in ws[1:] if len(ws) > 1 else ws:
                        first.setdefault(w, row)
                hits = [(w, r) for w, r in first.items() if len(w) >= MIN_WORD and w.isalpha()]
            else:
                looked_at = page.intersection(after_first.replace(_SEPARATOR, " ").split())
                looked_at |= page.intersection(part for part in parts if " " not in part)
                hits = []
                for w in sorted(w for w in looked_at if len(w) >= MIN_WORD and w.isalpha()):
                    where = next((r for part, r in zip(parts, rows, strict=True)
                                  if w in (ws := part.split())[1:] or ws == [w]), None)
                    if where is not None:
                        hits.append((w, where))
            for word, row in hits:
                if _valid(word, key, common):
                    found.setdefault(word, (key, row))
        elif key == "email":  # the local part, and the address without its top-level domain
            at = [v.find("@") for v in values]
            local_text = spaced_column(_SEPARATOR.join(v[:i] if i > 0 else "" for v, i in zip(values, at, strict=True)))
            local = local_text.replace(" ", "").split(_SEPARATOR)
            domain = spaced_column(_SEPARATOR.join(v[i + 1:] if i > 0 else "" for v, i in zip(values, at, strict=True)))
            add(key, [loc if len(loc) > MIN_CHARS else "" for loc in local], rows)
            add(key, [loc + dom.strip().rpartition(" ")[0].replace(" ", "") if loc else ""
                      for loc, dom in zip(local, domain.split(_SEPARATOR), strict=True)], rows)
        # Every personal column (the free texts above all): each run of SHINGLE words.
        if page is None:
            for part, row in zip(spaced.split(_SEPARATOR), rows, strict=True):
                ws = part.split()
                add(key, ["".join(ws[i:i + SHINGLE]) for i in range(len(ws) - SHINGLE + 1)],
                    [row] * max(len(ws) - SHINGLE + 1, 0))
        elif page_shingles:
            streams.append((key, spaced, rows))
    if streams and page_shingles:
        _match_shingles(streams, page_shingles, common, found)
    return found


def _window_hashes(codes: np.ndarray) -> np.ndarray:
    """A 64-bit hash of every run of SHINGLE consecutive word codes (wrapping arithmetic)."""
    n = len(codes) - SHINGLE + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    c = codes.astype(np.uint64)
    prime = np.uint64(1_000_003)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(SHINGLE):
            h = h * prime + c[k:k + n]
    return h


def _match_shingles(streams: list[tuple[str, str, list[int]]], page_shingles: set[str],
                    common: frozenset[str], found: dict[str, tuple[str, int]]) -> None:
    """Runs of SHINGLE words that the site and the register's columns share, matched ONCE per
    call for all columns: every word gets the integer code of the site's vocabulary (-1 for a
    word the site never uses, so only runs of site words are looked at), every such run of six
    codes a 64-bit hash, and one sorted merge (numpy.isin) finds the runs on both sides; the few
    hits are confirmed word for word. The cost grows with the site's text
    plus the register's, never with their product (an earlier version built an Aho-Corasick
    automaton from the site's runs once per personal column). First column in PERSONAL_KEYS wins."""
    if not page_shingles or not streams:
        return
    page_runs = list(page_shingles)
    page_words = " \x00 ".join(page_runs).split()  # SHINGLE words, then a marker, per run
    # Codes from the site's (small) vocabulary only: a register word the site never uses gets -1,
    # and a run holding one can never be on the site, so it is dropped before any hashing look-up.
    vocabulary: dict[str, int] = {"\x00": 0}  # 0: the marker between values
    for word in page_words:
        vocabulary.setdefault(word, len(vocabulary))
    code_of = vocabulary.get
    page_codes = np.fromiter((vocabulary[w] for w in page_words), dtype=np.int64, count=len(page_words))
    page_hashes = _window_hashes(page_codes)[::SHINGLE + 1]  # each run begins after a marker
    for key, spaced, rows in streams:
        ws = spaced.replace(_SEPARATOR, " \x00 ").split()
        if len(ws) < SHINGLE:
            continue
        column_codes = np.fromiter((code_of(w, -1) for w in ws), dtype=np.int64, count=len(ws))
        unknown = np.concatenate(([0], np.cumsum(column_codes < 0)))
        n = len(ws) - SHINGLE + 1
        known = np.flatnonzero(unknown[SHINGLE:SHINGLE + n] == unknown[:n])  # runs of site words only
        if not len(known):
            continue
        markers_before = np.concatenate(([0], np.cumsum(column_codes == 0)))
        known = known[markers_before[known + SHINGLE] == markers_before[known]]  # inside one value
        hashes = _window_hashes(column_codes)[known]
        for start in known[np.isin(hashes, page_hashes)]:
            run = " ".join(ws[start:start + SHINGLE])
            token = run.replace(" ", "")
            if run in page_shingles and token not in found and _valid(token, key, common):
                found[token] = (key, rows[int(markers_before[start])])


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
    from .store import PrivateStore

    key = secrets.token_bytes(32)
    PrivateStore.at(private_dir).write(path, (key.hex() + "\n").encode("ascii"), [], exclusive=True)
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
    if new:  # keyed hashes only: no complaint's data in the manifest
        from .store import PrivateStore

        PrivateStore.at(private_dir).append(path, "".join(f"{h}\n" for h in new), [])
    return len(new)


def remembered(private_dir: Path) -> tuple[bytes, frozenset[str]] | None:
    """(key, hashes) kept for anonymised complaints, or None when nothing was anonymised."""
    path = private_dir / HASH_FILE
    key = _key(private_dir, create=False)
    if key is None or not path.is_file():
        return None
    return key, frozenset(path.read_text(encoding="ascii").split())


def rows_tokens(reg: Register, rows: list[int]) -> Iterator[str]:
    """Every token of the personal values in these register rows (0-based positions)."""
    columns = {key: ([reg.text(key)[i] for i in rows], list(rows)) for key in PERSONAL_KEYS
               if key in reg.positions}
    yield from register_tokens(columns)
