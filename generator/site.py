"""`klachten site`: build (or serve) the public website with mkdocs and our config."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import time
from pathlib import Path

from register.config import Config
from register.errors import SiteError

ROOT = Path(__file__).resolve().parent.parent
MKDOCS_YML = ROOT / "mkdocs.yml"


@contextlib.contextmanager
def _hook_environment(config: Config, peildatum: dt.date | None):
    """The hook reads $KLACHTEN_CONFIG and $KLACHTEN_PEILDATUM; set them for this build only."""
    saved = {k: os.environ.get(k) for k in ("KLACHTEN_CONFIG", "KLACHTEN_PEILDATUM")}
    os.environ["KLACHTEN_CONFIG"] = str(config.path)
    if peildatum is not None:
        os.environ["KLACHTEN_PEILDATUM"] = peildatum.isoformat()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def build_site(config: Config, peildatum: dt.date | None = None, site_dir: Path | None = None,
               strict: bool = True) -> tuple[Path, float]:
    """Build the site into [site] uitvoer (or ``site_dir``); returns (folder, seconds)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    target = site_dir or config.resolve(config.site.uitvoer)
    warnings = _Warnings()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(warnings)
    start = time.perf_counter()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    try:
        with _hook_environment(config, peildatum):
            mk = load_config(str(MKDOCS_YML), site_dir=str(target), strict=strict)
            build(mk)
    except (Abort, PluginError, ConfigurationError) as exc:
        detail = getattr(exc, "message", None) or str(exc)
        extra = f" Waarschuwingen: {'; '.join(warnings.messages[:3])}" if warnings.messages else ""
        raise SiteError(f"website niet gebouwd: {detail}{extra}") from None
    finally:
        logger.removeHandler(warnings)
    return target, time.perf_counter() - start


def serve_site(config: Config, peildatum: dt.date | None = None, address: str = "127.0.0.1:8000") -> None:
    from mkdocs.commands.serve import serve

    with _hook_environment(config, peildatum):
        serve(config_file=str(MKDOCS_YML), dev_addr=address)
