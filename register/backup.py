"""Snapshots of the register as read: every row and column, values as text, never overwritten.

Restore: open the newest CSV in `backups/` (Google Sheets: Bestand > Importeren > Uploaden,
'Gegevens vervangen vanaf geselecteerde cel'; Excel: Gegevens > Uit tekst/CSV), or copy the
rows you need back into the register.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from .errors import KlachtenError
from .parse import cell_text
from .sources import Grid

PATTERN = re.compile(r"^register-\d{8}-\d{6}(-\d+)?\.csv$")


def write_backup(grid: Grid, folder: Path, when: dt.datetime, keep: int) -> Path:
    """Write a new snapshot (never overwriting one) and delete all but the newest ``keep``
    (``keep=0``: delete nothing, e.g. the backup before anonymisation)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = when.strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        path = folder / (f"register-{stamp}.csv" if n == 0 else f"register-{stamp}-{n}.csv")
        try:
            with path.open("x", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh, delimiter=";")
                for row in grid.values:
                    writer.writerow([cell_text(v) for v in row])
            break
        except FileExistsError:
            continue
    else:
        raise KlachtenError(f"kon geen nieuwe back-up maken in {folder}")
    rotate(folder, keep)
    return path


def snapshots(folder: Path) -> list[Path]:
    """Our snapshots in the folder, oldest first (other files are left alone)."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if PATTERN.match(p.name)), key=lambda p: (p.stat().st_mtime, p.name))


def rotate(folder: Path, keep: int) -> list[Path]:
    old = snapshots(folder)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old
