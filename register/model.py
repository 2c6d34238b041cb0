"""From a Grid of raw cells to a typed Register, keeping every value's origin cell."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .config import Config
from .parse import EARLIEST_DATE, LATEST_DATE, blank_mask, cell_text, clean_text, factorize_cells, parse_dates
from .schema import BY_KEY, COLUMNS, URGENCIES, column_letter, enum_lookup, fold, header_positions
from .sources import Grid


@dataclass
class Register:
    """The complaints of one register, typed, with their sheet positions.

    ``frame`` has one row per complaint and a column per schema key: text columns as str
    ('' when empty), date columns as datetime64[D] (NaT when empty or unreadable), enum
    columns as their canonical value ('' when empty or unknown); free-text columns are added
    when first used (``text()``). ``raw`` keeps the cells as read, for messages. ``invalid``
    marks cells that could not be read (dates, enums); ``implausible`` the subset of date cells
    that were dates, but outside 1990-2100.
    """

    frame: pd.DataFrame
    raw: dict[str, np.ndarray]
    sheet_rows: np.ndarray
    positions: dict[str, int]  # schema key -> 0-based column index in the sheet
    headers: list[str]
    grid: Grid
    missing_required: list[str] = field(default_factory=list)
    duplicate_headers: list[tuple[str, int]] = field(default_factory=list)
    invalid: dict[str, np.ndarray] = field(default_factory=dict)
    implausible: dict[str, np.ndarray] = field(default_factory=dict)  # dates before 1990 or after 2100

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def header_row(self) -> int:
        return int(self.grid.first_row + self.grid.header_position())

    def cell(self, key: str, i: int) -> str:
        """A1 address of column ``key`` in frame row ``i`` ('rij N' when the column is missing)."""
        if key not in self.positions:
            return f"rij {self.sheet_rows[i]}"
        return f"{column_letter(self.positions[key])}{self.sheet_rows[i]}"

    def dates(self, key: str) -> np.ndarray:
        return self.frame[key].to_numpy(dtype="datetime64[D]")

    def text(self, key: str) -> np.ndarray:
        """Clean text of any column (cleaned on first use, then kept in ``frame``)."""
        if key not in self.frame.columns:
            if key in self.raw:
                self.frame[key] = pd.Series(clean_text(self.raw[key]), dtype=object, copy=False)
            else:
                self.frame[key] = ""
        return self.frame[key].to_numpy()

    def amounts(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """An amount column as float64 euros (NaN when empty or unreadable) and the unreadable mask."""
        from .parse import parse_amounts

        if key not in self.raw:
            return np.full(len(self.frame), np.nan), np.zeros(len(self.frame), dtype=bool)
        return parse_amounts(self.raw[key])

    def blank(self, key: str) -> np.ndarray:
        """True where the column's cell is empty (everywhere, when the column is missing)."""
        if key in self.frame.columns:
            empty: np.ndarray = self.frame[key].to_numpy() == ""
            return empty
        if key in self.raw:
            return blank_mask(self.raw[key])
        return np.ones(len(self.frame), dtype=bool)


def allowed_values(key: str, config: Config) -> list[str]:
    """The values a list column accepts: from the schema, the config lists, or 1..8."""
    if key == "category":
        return list(config.lijsten.categorieen)
    if key == "cause":
        return list(config.lijsten.oorzaken)
    if key == "urgency":
        return list(URGENCIES)
    return list(BY_KEY[key].choices)


#: Text columns cleaned while loading, because checks and flags need them. The others (mostly
#: free text) are cleaned on first use by Register.text(), which keeps large registers fast.
EAGER_TEXT = ("complaint_no", "handler", "escalated_to")
MANY_DISTINCT = ("complaint_no",)


def to_matrix(rows: list[Any], width: int) -> np.ndarray:
    """Rows of cells (ragged: the API drops trailing empty cells) -> 2-D object array, None-padded."""
    if not rows:
        return np.empty((0, width), dtype=object)
    try:  # pandas' own C routine for exactly this; the fallback is ~5x slower
        # a private pandas routine, so pandas-stubs does not list it
        from pandas._libs.lib import to_object_array  # type: ignore[attr-defined]

        matrix: np.ndarray
        try:
            matrix = to_object_array(rows, min_width=width)
        except TypeError:  # rows as tuples (openpyxl)
            matrix = to_object_array([list(r) for r in rows], min_width=width)
        return matrix
    except (ImportError, TypeError):
        from itertools import zip_longest

        matrix = np.empty((len(rows), width), dtype=object)
        for j, column in enumerate(zip_longest(*rows)):
            matrix[:, j] = column
        return matrix


def build_register(grid: Grid, config: Config) -> Register:
    """Map headers to schema keys, drop blank and repeated-header rows, type the columns."""
    top = grid.header_position()
    header_cells = grid.values[top] if grid.values else []
    headers = ["" if v is None else str(v).strip() for v in header_cells]
    positions, duplicates = header_positions(headers)
    missing = [c.key for c in COLUMNS if c.required and c.key not in positions]

    body = grid.values[top + 1:]
    n = len(body)
    width = max(len(headers), max(map(len, body), default=0))
    sheet_rows = np.arange(n, dtype=np.int64) + grid.first_row + top + 1
    cells = to_matrix(body, width)
    # Raw cells of the schema columns we know; the owner's own columns are left alone.
    raw = {key: cells[:, idx] for key, idx in positions.items()}

    text = {key: clean_text(raw[key], few=key not in MANY_DISTINCT) for key in positions if key in EAGER_TEXT}
    enums = {key: _normalise_enum(key, raw[key], config) for key in positions
             if BY_KEY[key].kind in ("enum", "list", "urgency")}
    date_keys = [k for k in positions if BY_KEY[k].kind == "date"]
    parsed_dates = {k: parse_dates(pd.Series(raw[k])) for k in date_keys}

    # Blank rows (every schema cell empty) are skipped silently. Cheap columns pick the
    # candidates; only those rows are inspected cell by cell.
    candidate = np.ones(n, dtype=bool)
    for values in text.values():
        candidate &= values == ""
    for canonical, unknown in enums.values():
        candidate &= (canonical == "") & ~unknown
    for key in date_keys:
        candidate &= np.isnat(parsed_dates[key][0]) & ~parsed_dates[key][1]
    lazy = [k for k in positions if k not in text and k not in parsed_dates and k not in enums]
    blank = candidate.copy()
    rows = np.flatnonzero(candidate)
    for k in lazy:
        blank[rows] &= blank_mask(raw[k][rows])
    # A row that repeats the header (owners paste it again) is skipped too.
    header_like = np.zeros(n, dtype=bool)
    if "complaint_no" in text:
        numbers = text["complaint_no"]
        lengths = np.fromiter(map(len, numbers), dtype=np.int64, count=n)
        for i in np.flatnonzero((lengths >= 12) & (lengths <= 20)):  # only these can spell the header
            header_like[i] = fold(numbers[i]) == "klachtnummer"
    keep = ~(blank | header_like)
    all_kept = bool(keep.all())

    def kept(values: np.ndarray) -> np.ndarray:
        return values if all_kept else values[keep]

    n_kept = int(keep.sum())
    columns: dict[str, np.ndarray] = {}
    invalid: dict[str, np.ndarray] = {}
    implausible: dict[str, np.ndarray] = {}
    for column in COLUMNS:
        key = column.key
        if key not in positions:
            columns[key] = np.full(n_kept, np.datetime64("NaT", "D")) if column.kind == "date" \
                else np.full(n_kept, "", dtype=object)
        elif column.kind == "date":
            values, bad = parsed_dates[key]
            # A date before 1990 or after 2100 is a typo (0001-01-01 would otherwise give the site
            # two thousand yearly pages): unreadable for every calculation, reported with its cell.
            odd = ~np.isnat(values) & ((values < EARLIEST_DATE) | (values > LATEST_DATE))
            if odd.any():
                values = np.where(odd, np.datetime64("NaT", "D"), values)
                bad = bad | odd
            columns[key] = kept(values)
            invalid[key] = kept(bad)
            implausible[key] = kept(odd)
        elif column.kind in ("enum", "list", "urgency"):
            columns[key], invalid[key] = kept(enums[key][0]), kept(enums[key][1])
        elif key in text:
            columns[key] = kept(text[key])
    # Text stays numpy object: pandas would otherwise scan and convert every column to its str dtype.
    # Dates go in as datetime64[s], the unit pandas keeps them in; handing it [D] costs a slow
    # conversion per column.
    frame = pd.DataFrame({k: pd.Series(v, dtype=object, copy=False) if v.dtype == object
                          else v.astype("datetime64[s]") if v.dtype.kind == "M" else v
                          for k, v in columns.items()}, index=pd.RangeIndex(n_kept))
    raw_kept = {key: kept(values) for key, values in raw.items()}
    return Register(frame=frame, raw=raw_kept, sheet_rows=kept(sheet_rows), positions=positions,
                    headers=headers, grid=grid, missing_required=missing, duplicate_headers=duplicates,
                    invalid=invalid, implausible=implausible)


def _normalise_enum(key: str, raw: np.ndarray, config: Config) -> tuple[np.ndarray, np.ndarray]:
    """Canonical values for an enum column, and a mask of non-empty values not recognised.

    Factorises the raw cells once; each distinct value is cleaned and looked up once.
    """
    if key == "urgency":
        table = {n: n for n in URGENCIES}
        lookup = _leading_number
    else:
        table = enum_lookup(key, allowed_values(key, config))
        lookup = fold
    codes, uniques = factorize_cells(raw)
    mapped, unknown = [], []
    for value in uniques:
        text = cell_text(value)
        canonical = table.get(lookup(text)) if text else ""
        mapped.append(canonical or "")
        unknown.append(canonical is None)
    mapped.append("")
    unknown.append(False)
    return np.array(mapped, dtype=object)[codes], np.array(unknown, dtype=bool)[codes]


def _leading_number(text: str) -> str:
    """'3', '3.0', '3 - betaling ingehouden' -> '3'."""
    m = re.match(r"^\s*(\d+)(?:[.,]0+)?(?!\d)", text)
    return m.group(1) if m else text
