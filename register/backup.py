"""Snapshots of the register as read: every row and column, values as text, never overwritten.

Restore: open the newest CSV in `backups/` (Google Sheets: Bestand > Importeren > Uploaden,
'Gegevens vervangen vanaf geselecteerde cel'; Excel: Gegevens > Uit tekst/CSV), or copy the
rows you need back into the register. A cell that starts with =, +, -, @, a tab or a carriage
return is written with a single quote in front (OWASP's advice against formula injection), so
a spreadsheet opening the backup shows text and never runs it; remove that quote when you copy
such a value back by hand.

Before a local .xlsx is changed, a copy ``<naam>-voor-wijziging-<tijd>.xlsx`` is put beside
the snapshots; both kinds rotate together: the newest ``keep`` files stay, older ones go.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from pathlib import Path

from .errors import KlachtenError
from .parse import cell_text
from .sources import Grid

PATTERN = re.compile(r"^register-\d{8}-\d{6}(-\d+)?\.csv$")
_STAMP = re.compile(r"-(\d{8})-\d{6}")
COPY_PATTERN = re.compile(r"^.+-voor-wijziging-\d{8}-\d{6}-\d{6}(-\d+)?\.xlsx$")
#: OWASP 'CSV injection': a cell starting with one of these is a formula to Excel and Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as text: a single quote before a would-be formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def write_backup(grid: Grid, folder: Path, when: dt.datetime, keep: int, max_days: int | None = None) -> Path:
    """Write a new snapshot (never overwriting one) and delete all but the newest ``keep``
    (``keep=0``: keep every one, e.g. the backup before anonymisation), and every snapshot or
    pre-change .xlsx copy older than ``max_days`` days (by the date in its name)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = when.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        path = folder / (f"register-{stamp}.csv" if n == 0 else f"register-{stamp}-{n}.csv")
        try:
            with path.open("x", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh, delimiter=";")
                for row in grid.values:
                    writer.writerow([neutralise(cell_text(v)) for v in row])
            break
        except FileExistsError:
            continue
    else:
        raise KlachtenError(f"kon geen nieuwe back-up maken in {folder}")
    rotate(folder, keep, when.date(), max_days)
    return path


def copy_before_change(path: Path, folder: Path, keep: int) -> Path:
    """Copy the register file to ``folder`` before it is changed, then rotate."""
    from .deadlines import AMSTERDAM

    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(AMSTERDAM).strftime("%Y%m%d-%H%M%S-%f")
    for n in range(1000):
        copy = folder / f"{path.stem}-voor-wijziging-{stamp}{f'-{n}' if n else ''}{path.suffix}"
        try:
            with path.open("rb") as src, copy.open("xb") as dst:
                shutil.copyfileobj(src, dst)
            break
        except FileExistsError:
            continue
    else:
        raise KlachtenError(f"kon geen kopie van het register maken in {folder}")
    rotate(folder, keep, dt.datetime.now(AMSTERDAM).date(), max_days=keep)  # keep = [nachtrun] backups_bewaren
    return copy


def snapshots(folder: Path) -> list[Path]:
    """Our backups in the folder (CSV snapshots and copies before a change), oldest first;
    other files are left alone."""
    if not folder.is_dir():
        return []
    ours = (p for p in folder.iterdir() if PATTERN.match(p.name) or COPY_PATTERN.match(p.name))
    return sorted(ours, key=lambda p: (p.stat().st_mtime, p.name))


def rotate(folder: Path, keep: int, today: dt.date | None = None, max_days: int | None = None) -> list[Path]:
    """Delete all snapshots but the newest ``keep`` (0: none by count), and, with ``max_days``,
    every snapshot and pre-change copy made more than ``max_days`` days before ``today``: so a
    removed personal value is gone from every backup within ``max_days`` days, even when the
    nightly run skipped days or commands made extra backups."""
    old = snapshots(folder)[:-keep] if keep > 0 else []
    if max_days is not None and today is not None and folder.is_dir():
        oldest = today - dt.timedelta(days=max_days)
        for path in folder.iterdir():
            stamp = _STAMP.search(path.name)
            if (PATTERN.match(path.name) or COPY_PATTERN.match(path.name)) and stamp and path not in old:
                digits = stamp.group(1)
                try:
                    made = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
                except ValueError:
                    continue
                if made < oldest:
                    old.append(path)
    for path in old:
        path.unlink(missing_ok=True)
    return old
