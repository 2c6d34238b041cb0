"""One writer at a time: a lock per register and one for the private folder.

Locks are files beside what they protect (``filelock``: works on every platform and is
released by the operating system when a process dies, so a kill never leaves a stale lock).
A second writer waits briefly, then gets a Dutch RegisterBusy error instead of racing.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from register.errors import SourceError

if TYPE_CHECKING:
    from register.config import Config

WAIT_SECONDS = 10.0


class RegisterBusy(SourceError):
    """Another klachten process holds the lock on the register or the private folder.

    A SourceError, so the CLI exits 2 (the register cannot be used right now), not 1 (which
    means: the register contains errors)."""


@contextlib.contextmanager
def _hold(lock_file: Path, what: str, wait: float | None, reentrant: bool = False) -> Iterator[None]:
    from filelock import FileLock, Timeout

    wait = WAIT_SECONDS if wait is None else wait
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    # reentrant: one lock object per file in this process (is_singleton), so a writer that already holds
    # the lock can take it again (anonymise -> update_by_number -> write_cells) without deadlock.
    lock = FileLock(str(lock_file), is_singleton=reentrant, mode=0o600)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise RegisterBusy(f"{what} is bezet door een andere klachten-opdracht; probeer het over een minuut "
                           f"opnieuw") from None
    try:
        yield
    finally:
        lock.release()


def register_lock(config: Config, wait: float | None = None) -> contextlib.AbstractContextManager[None]:
    """Held around every write to the register (one lock per register, whatever its source)."""
    if config.register.bron == "xlsx":
        from register.sources.xlsx import register_file

        target = register_file(config)
        lock_file = target.with_name(f".{target.name}.klachten-lock")
    else:  # a Google Sheet: the lock lives in the private folder, keyed by spreadsheet and tab
        key = hashlib.sha256(f"{config.register.spreadsheet}|{config.register.tabblad}".encode()).hexdigest()[:16]
        lock_file = config.private_dir() / f"register-{key}.lock"
    return _hold(lock_file, "het register", wait, reentrant=True)


def private_lock(config: Config, wait: float | None = None) -> contextlib.AbstractContextManager[None]:
    """Held by the nightly run and anything else that writes state, outbox or backups."""
    return _hold(config.private_dir() / ".klachten.lock", f"de map {config.private_dir()}", wait)
