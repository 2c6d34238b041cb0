"""`klachten site --serve`: the owner's own site on 127.0.0.1, rebuilt when the register or the
config changes.

The site is built exactly as `klachten site` builds it (same plugin, same privacy guard) into a
temporary folder, and served from there; a loop polls klachten.toml and the register (the file's
size and modification time, or for a Google Sheet its values every ``google_seconds``) and
rebuilds on a change. A failed rebuild is reported and the last good site stays up.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from register.config import Config, load_config
from register.errors import KlachtenError, os_error_message


def register_fingerprint(config: Config, session: Any = None) -> str:
    """What changes when the register changes: the file's stat, or the sheet's values."""
    if config.register.bron == "xlsx":
        from register.sources.xlsx import register_file

        path = register_file(config)
        try:
            st = path.stat()
        except OSError as exc:
            return f"onleesbaar {os_error_message(exc)}"
        return f"{path}:{st.st_size}:{st.st_mtime_ns}"
    from register.sources import read_grid

    grid = read_grid(config, session=session)
    return hashlib.sha256(repr(grid.values).encode()).hexdigest()


def _config_fingerprint(path: Path) -> str:
    try:
        st = path.stat()
    except OSError as exc:
        return f"onleesbaar {os_error_message(exc)}"
    return f"{st.st_size}:{st.st_mtime_ns}"


@dataclass
class Served:
    """The folder being served; swapped atomically after each successful rebuild."""

    folder: Path | None = None
    builds: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(SimpleHTTPRequestHandler):
    served: Served

    def __init__(self, *args: Any, served: Served, **kwargs: Any) -> None:
        with served.lock:
            folder = served.folder
        super().__init__(*args, directory=str(folder), **kwargs)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        pass  # no request log in the owner's terminal


def serve_site(config_path: Path, peildatum: dt.date | None, port: int = 8000, demo: bool = False,
               echo: Callable[[str], None] = print, stop: threading.Event | None = None,
               poll_seconds: float = 1.0, google_seconds: float = 30.0, session: Any = None,
               ready: Callable[[str], None] | None = None) -> None:
    """Build, serve on 127.0.0.1:``port`` and rebuild on every change until ``stop`` is set (or Ctrl+C)."""
    from generator.site.build import build_site

    stop = stop or threading.Event()
    work = Path(tempfile.mkdtemp(prefix="klachten-site-"))
    served = Served()

    def rebuild(reason: str) -> None:
        try:
            config = load_config(config_path)
            target = work / f"bouw-{served.builds + 1}"
            build_site(config, peildatum, site_dir=target, demo=demo)
        except KlachtenError as exc:
            echo(f"Fout: {exc}" + ("; de vorige versie blijft te zien" if served.folder else ""))
            return
        except OSError as exc:
            echo(f"Fout: {os_error_message(exc)}")
            return
        with served.lock:
            old, served.folder = served.folder, target
            served.builds += 1
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        echo(f"Website {'opnieuw ' if served.builds > 1 else ''}gebouwd ({reason}).")

    def fingerprints(with_register: bool) -> tuple[str, str | None]:
        register = None
        if with_register:
            try:
                register = register_fingerprint(load_config(config_path), session)
            except (KlachtenError, OSError) as exc:
                register = f"fout {exc}"
        return _config_fingerprint(config_path), register

    seen = fingerprints(True)
    rebuild("eerste keer")
    if served.folder is None:
        (work / "leeg").mkdir()
        served.folder = work / "leeg"
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Handler, served=served))
    except OSError as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise KlachtenError(f"poort {port} is niet beschikbaar ({os_error_message(exc)}); kies een andere met "
                            "--poort") from None
    address = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, name="klachten-site", daemon=True)
    thread.start()
    echo(f"De website is te zien op {address}; stoppen met Ctrl+C.")
    if ready is not None:
        ready(address)
    google = load_config(config_path).register.bron == "google"
    last_register_poll = time.monotonic()
    try:
        while not stop.wait(poll_seconds):
            poll_register = not google or time.monotonic() - last_register_poll >= google_seconds
            if poll_register:
                last_register_poll = time.monotonic()
            now = fingerprints(poll_register)
            changed = [what for what, before, after in (("klachten.toml", seen[0], now[0]),
                                                        ("register", seen[1], now[1]))
                       if after is not None and before != after]
            if changed:
                seen = (now[0], now[1] if now[1] is not None else seen[1])
                rebuild(" en ".join(changed) + " gewijzigd")
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(work, ignore_errors=True)
