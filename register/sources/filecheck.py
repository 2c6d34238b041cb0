"""Checks before klachten writes a local register file: never under an open or read-only file."""

from __future__ import annotations

import os
from pathlib import Path

from register.errors import SourceError


def lock_files(path: Path) -> list[Path]:
    """Lock files that Excel (~$name.xlsx) and LibreOffice (.~lock.name.xlsx#) keep beside an open file."""
    candidates = [path.with_name(f"~${path.name}"), path.with_name(f".~lock.{path.name}#")]
    if len(path.name) > 2:  # Excel shortens long names: ~$ replaces the first two characters
        candidates.append(path.with_name(f"~${path.name[2:]}"))
    return [p for p in candidates if p.exists()]


def ensure_writable(path: Path) -> None:
    """Raise a Dutch SourceError when ``path`` is open in a spreadsheet program or read-only."""
    open_in = lock_files(path)
    if open_in:
        program = "LibreOffice" if open_in[0].name.startswith(".~lock.") else "Excel"
        raise SourceError(f"'{path.name}' is geopend in {program} ({open_in[0].name} bestaat); sluit het "
                          f"bestand en probeer het opnieuw, zodat geen van beide uw wijzigingen overschrijft")
    if path.exists() and not os.access(path, os.W_OK):
        raise SourceError(f"'{path}' is alleen-lezen; klachten schrijft er niet in (maak het bestand "
                          f"schrijfbaar als u wilt dat klachten het bijwerkt)")


def keep_mode_and_owner(original: os.stat_result, path: Path) -> None:
    """Give a replaced file the permission bits (and, when allowed, the owner) of the original."""
    os.chmod(path, original.st_mode & 0o7777)
    if hasattr(os, "chown"):
        try:
            os.chown(path, original.st_uid, original.st_gid)
        except PermissionError:  # only root may give a file away; the mode is what matters most
            pass
