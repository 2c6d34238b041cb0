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

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import KlachtenError
from .export import csv_bytes
from .parse import cell_text
from .policy import FORMULA_START, neutralise
from .sources import Grid

if TYPE_CHECKING:
    from .store import PrivateStore

__all__ = ["FORMULA_START", "copy_before_change", "neutralise", "rotate", "snapshots", "write_backup"]

PATTERN = re.compile(r"^register-\d{8}-\d{6}(-\d+)?\.csv$")
_STAMP = re.compile(r"-(\d{8})-\d{6}")
COPY_PATTERN = re.compile(r"^.+-voor-wijziging-\d{8}-\d{6}-\d{6}(-\d+)?\.xlsx$")

def _store(folder: Path, store: PrivateStore | None) -> PrivateStore:
    """The given store, or one rooted at the backup folder's parent (the private folder)."""
    if store is not None:
        return store
    from .store import PrivateStore

    return PrivateStore.at(folder.parent if folder.name == "backups" else folder)


def write_backup(grid: Grid, folder: Path, when: dt.datetime, keep: int, max_days: int | None = None,
                 store: PrivateStore | None = None) -> Path:
    """Write a new snapshot (never overwriting one) and delete all but the newest ``keep``
    (``keep=0``: keep every one, e.g. the backup before anonymisation), and every snapshot or
    pre-change .xlsx copy older than ``max_days`` days (by the date in its name)."""
    from .store import WHOLE_REGISTER

    store = _store(folder, store)
    stamp = when.strftime("%Y%m%d-%H%M%S")
    data = csv_bytes([cell_text(v) for v in row] for row in grid.values)
    for n in range(1000):
        path = folder / (f"register-{stamp}.csv" if n == 0 else f"register-{stamp}-{n}.csv")
        try:
            store.write(path, data, [WHOLE_REGISTER], exclusive=True)
            break
        except FileExistsError:
            continue
    else:
        raise KlachtenError(f"kon geen nieuwe back-up maken in {folder}")
    rotate(folder, keep, when.date(), max_days, store)
    return path


def copy_before_change(path: Path, folder: Path, keep: int, store: PrivateStore | None = None) -> Path:
    """Copy the register file to ``folder`` before it is changed, then rotate."""
    from .deadlines import AMSTERDAM
    from .store import WHOLE_REGISTER

    store = _store(folder, store)
    stamp = dt.datetime.now(AMSTERDAM).strftime("%Y%m%d-%H%M%S-%f")
    data = path.read_bytes()
    for n in range(1000):
        copy = folder / f"{path.stem}-voor-wijziging-{stamp}{f'-{n}' if n else ''}{path.suffix}"
        try:
            store.write(copy, data, [WHOLE_REGISTER], exclusive=True)
            break
        except FileExistsError:
            continue
    else:
        raise KlachtenError(f"kon geen kopie van het register maken in {folder}")
    rotate(folder, keep, dt.datetime.now(AMSTERDAM).date(), max_days=keep, store=store)  # keep = [nachtrun] backups_bewaren
    return copy


def snapshots(folder: Path) -> list[Path]:
    """Our backups in the folder (CSV snapshots and copies before a change), oldest first;
    other files are left alone."""
    if not folder.is_dir():
        return []
    ours = (p for p in folder.iterdir() if PATTERN.match(p.name) or COPY_PATTERN.match(p.name))
    return sorted(ours, key=lambda p: (p.stat().st_mtime, p.name))


def rotate(folder: Path, keep: int, today: dt.date | None = None, max_days: int | None = None,
           store: PrivateStore | None = None) -> list[Path]:
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
        if store is not None:
            store.remove(path)
        else:
            path.unlink(missing_ok=True)
    return old
