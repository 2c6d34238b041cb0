"""From a Grid of raw cells to a typed Register, keeping every value's origin cell."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .config import Config
from .schema import BY_KEY, COLUMNS, HEADER_INDEX, column_letter, enum_lookup, fold
from .parse import clean_text, parse_dates
from .sources import Grid


@dataclass
class Register:
    """The complaints of one register, typed, with their sheet positions.

    ``frame`` has one row per complaint and a column per schema key: text columns as str
    ('' when empty), date columns as datetime64[D] (NaT when empty or unreadable), enum
    columns as their canonical value ('' when empty or unknown). ``raw`` keeps the cell text
    as typed, for messages. ``invalid`` marks cells that could not be read (dates, enums).
    """

    frame: pd.DataFrame
    raw: pd.DataFrame
    sheet_rows: np.ndarray
    positions: dict[str, int]  # schema key -> 0-based column index in the sheet
    headers: list[str]
    grid: Grid
    missing_required: list[str] = field(default_factory=list)
    duplicate_headers: list[tuple[str, int]] = field(default_factory=list)
    invalid: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def header_row(self) -> int:
        return int(self.grid.first_row + self.grid.header_position())

    def cell(self, key: str, i: int) -> str:
        """A1 address of column ``key`` in frame row ``i`` ('' when the column is missing)."""
        if key not in self.positions:
            return f"rij {self.sheet_rows[i]}"
        return f"{column_letter(self.positions[key])}{self.sheet_rows[i]}"

    def dates(self, key: str) -> np.ndarray:
        return self.frame[key].to_numpy(dtype="datetime64[D]")


def _enum_choices(key: str, config: Config) -> tuple[str, ...] | list[str]:
    if key == "category":
        return config.lijsten.categorieen
    if key == "cause":
        return config.lijsten.oorzaken
    return BY_KEY[key].choices


def build_register(grid: Grid, config: Config) -> Register:
    """Map headers to schema keys, drop blank and repeated-header rows, type every column."""
    top = grid.header_position()
    header_cells = grid.values[top] if grid.values else []
    headers = ["" if v is None else str(v).strip() for v in header_cells]
    positions: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    for idx, header in enumerate(headers):
        key = HEADER_INDEX.get(fold(header))
        if key is None:
            continue
        if key in positions:
            duplicates.append((key, idx))
        else:
            positions[key] = idx
    missing = [c.key for c in COLUMNS if c.required and c.key not in positions]

    body = grid.values[top + 1:]
    width = max(len(headers), max((len(r) for r in body), default=0))
    raw_all = pd.DataFrame(body, columns=range(width)) if body else pd.DataFrame(columns=range(width))
    sheet_rows = np.arange(len(body), dtype=np.int64) + grid.first_row + top + 1

    # Raw text of the schema columns we know; unknown (owner's) columns are kept out.
    raw = pd.DataFrame(index=raw_all.index)
    for key, idx in positions.items():
        raw[key] = raw_all[idx] if idx < width else None

    text = {key: clean_text(raw[key]) for key in positions if BY_KEY[key].kind != "date"}
    # Blank rows (all schema cells empty) and rows repeating the header are skipped silently.
    if text:
        blank = np.logical_and.reduce([t == "" for t in text.values()])
        folded_header = {key: fold(BY_KEY[key].header) for key in text}
        header_like = np.add.reduce([np.char.equal(_folded(text[k]), folded_header[k]) for k in text]) >= 2
    else:
        blank = np.ones(len(raw), dtype=bool)
        header_like = np.zeros(len(raw), dtype=bool)
    date_keys = [k for k in positions if BY_KEY[k].kind == "date"]
    parsed_dates = {k: parse_dates(raw[k]) for k in date_keys}
    for key in date_keys:
        blank &= np.isnat(parsed_dates[key][0]) & ~parsed_dates[key][1]
    keep = ~(blank | header_like)

    frame = pd.DataFrame(index=pd.RangeIndex(int(keep.sum())))
    invalid: dict[str, np.ndarray] = {}
    for column in COLUMNS:
        key = column.key
        if key not in positions:
            frame[key] = np.full(len(frame), np.datetime64("NaT", "D")) if column.kind == "date" else ""
            continue
        if column.kind == "date":
            values, bad = parsed_dates[key]
            frame[key] = values[keep]
            invalid[key] = bad[keep]
        elif column.kind in ("enum", "list", "urgency"):
            frame[key], invalid[key] = _normalise_enum(key, text[key][keep], config)
        else:
            frame[key] = text[key][keep]
    raw_kept = raw.loc[keep].reset_index(drop=True)
    return Register(frame=frame, raw=raw_kept, sheet_rows=sheet_rows[keep], positions=positions,
                    headers=headers, grid=grid, missing_required=missing, duplicate_headers=duplicates,
                    invalid=invalid)


def _folded(values: np.ndarray) -> np.ndarray:
    codes, uniques = pd.factorize(values)
    return np.array([fold(u) for u in uniques] + [""], dtype=object)[codes].astype(str)


def _normalise_enum(key: str, values: np.ndarray, config: Config) -> tuple[np.ndarray, np.ndarray]:
    """Canonical values for an enum column, and a mask of non-empty values not recognised."""
    codes, uniques = pd.factorize(values)
    if key == "urgency":
        table = {str(n): str(n) for n in range(1, 9)}
        lookup = _leading_number
    else:
        table = enum_lookup(key, _enum_choices(key, config))
        lookup = fold
    mapped, unknown = [], []
    for value in uniques:
        canonical = table.get(lookup(value)) if value else ""
        mapped.append(canonical or "")
        unknown.append(canonical is None)
    mapped.append("")
    unknown.append(False)
    return np.array(mapped, dtype=object)[codes], np.array(unknown, dtype=bool)[codes]


def _leading_number(text: str) -> str:
    """'3', '3.0', '3 - betaling ingehouden' -> '3'."""
    m = re.match(r"^\s*(\d+)(?:[.,]0+)?(?!\d)", text)
    return m.group(1) if m else text
