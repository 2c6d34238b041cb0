"""`klachten site`: build (or serve) the public website with mkdocs and our plugin."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, cast

from register.config import Config
from register.errors import ConfigError, SiteError

if TYPE_CHECKING:
    from generator.site.plugin import KlachtenPlugin
    from register.check import CheckResult

from generator.resources import mkdocs_yml

MKDOCS_YML = mkdocs_yml()
PLUGIN = "klachten"


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(config: Config, peildatum: dt.date | None = None, site_dir: Path | None = None,
               strict: bool = True, result: CheckResult | None = None, demo: bool = False) -> tuple[Path, float]:
    """Build the site into [site] uitvoer (or ``site_dir``); returns (folder, seconds).

    ``result`` is the register's check result when the caller already has it (the nightly run),
    so the register is read once; otherwise it is read and checked as of ``peildatum``.
    ``demo``: publish even with example values from the shipped klachten.toml in place
    (otherwise, like with [site] demo = false, the build stops).
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    from generator.site.pages import refuse_examples
    from register.check import check_register
    from register.deadlines import today_amsterdam

    start = time.perf_counter()
    refuse_examples(config, demo)  # before mkdocs, for one clear line (the plugin checks again)
    if result is None:
        result = check_register(config, peildatum or today_amsterdam())
    target = site_dir or config.site_dir()
    warnings = _Warnings()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(warnings)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    try:
        mk = load_config(str(MKDOCS_YML), site_dir=str(target), strict=strict)
        if PLUGIN not in mk.plugins:
            raise SiteError(f"{MKDOCS_YML.name} noemt de plugin '{PLUGIN}' niet onder plugins")
        cast("KlachtenPlugin", mk.plugins[PLUGIN]).provide(config, result, demo)
        build(mk)
    except ConfigurationError as exc:  # mkdocs.yml itself is wrong: a setup problem (exit 2)
        raise ConfigError(f"website niet gebouwd: {MKDOCS_YML.name} klopt niet: {exc}") from None
    except (Abort, PluginError) as exc:
        detail = getattr(exc, "message", None) or str(exc)
        extra = f" Waarschuwingen: {'; '.join(warnings.messages[:3])}" if warnings.messages else ""
        raise SiteError(f"website niet gebouwd: {detail}{extra}") from None
    finally:
        logger.removeHandler(warnings)
    return target, time.perf_counter() - start
