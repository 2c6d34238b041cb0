"""The privacy guard: no personal value from the register may appear in any built file.

All values are searched at once with an Aho-Corasick automaton (pyahocorasick), one pass
over each file, so a 50,000-row register is checked in well under a second. HTML- and
JSON-escaped forms are searched too (the search index is JSON), case-insensitively.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from register.model import Register
from register.schema import MARKER, PERSONAL_KEYS

#: Columns that must never reach the site (personal data and free text).
MIN_LENGTH = 5  # shorter values ('ja', '12') are too generic to prove a leak
_NEEDS_ESCAPING = re.compile(r"[&<>\"'\\\x00-\x1f\x7f-\U0010ffff]")
TEXT_SUFFIXES = {".html", ".htm", ".xml", ".json", ".js", ".txt", ".svg", ".css", ".md", ".csv"}


@dataclass(frozen=True)
class Leak:
    file: str
    column: str
    row: int


def personal_values(reg: Register) -> dict[str, tuple[str, int]]:
    """Distinct guarded values -> (column, sheet row of one occurrence).

    Works on the raw cells with numpy's string ufuncs; only the odd number or date cell goes
    through cell_text, so it appears exactly as the site would print it.
    """
    from register.parse import cell_text

    values: dict[str, tuple[str, int]] = {}
    for key in reversed(PERSONAL_KEYS):  # update() below: the first column in PERSONAL_KEYS wins
        raw = reg.raw.get(key)
        if raw is None or len(raw) == 0:
            continue
        missing = pd.isna(raw)
        cells = np.where(missing, "", raw)
        if pd.api.types.infer_dtype(raw, skipna=True) not in ("string", "empty"):  # numbers, dates
            odd = np.flatnonzero(np.frompyfunc(lambda v: type(v) is not str, 1, 1)(cells).astype(bool))
            cells[odd] = [cell_text(v) for v in cells[odd]]
        text = np.strings.strip(cells.astype(np.dtypes.StringDType()))
        rows = np.flatnonzero((np.strings.str_len(text) >= MIN_LENGTH) & (text != MARKER))
        unique, first = np.unique(text[rows], return_index=True)
        where = [(key, row) for row in reg.sheet_rows[rows[first]].tolist()]
        values.update(zip(unique.tolist(), where, strict=True))
    return values


def file_texts(site_dir: Path):
    for path in sorted(site_dir.rglob("*")):
        if path.suffix.lower() in TEXT_SUFFIXES:
            yield path, path.read_text(encoding="utf-8", errors="replace")
        elif path.name.endswith(".xml.gz"):
            yield path, gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def find_leaks(site_dir: Path, values: dict[str, tuple[str, int]], allowed: set[str] | frozenset[str] = frozenset()) -> list[Leak]:
    """Every (file, column, row) where a personal value occurs in a built file."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for value, where in values.items():
        lowered = value.lower()
        if lowered in allowed:
            continue
        automaton.add_word(lowered, where)
        if _NEEDS_ESCAPING.search(value):  # only then can an escaped form differ
            for form in {html.escape(value, quote=False), html.escape(value), json.dumps(value)[1:-1]}:
                automaton.add_word(form.lower(), where)
    if len(automaton) == 0:
        return []
    automaton.make_automaton()
    leaks: list[Leak] = []
    for path, text in file_texts(site_dir):
        found = {where for _, where in automaton.iter(text.lower())}
        leaks.extend(Leak(str(path.relative_to(site_dir)), column, row) for column, row in sorted(found))
    return leaks
