"""Register sources behind one interface (:class:`~register.sources.base.Source`).

The source is chosen once, here, from ``[register] bron``. Adding a source (an .ods file, a
CSV export) is one new module with a Source subclass, named in ``SOURCES`` below, plus tests.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from register.sources.base import CellWrite, Grid, Source, WriteReport, missing_tab_message

if TYPE_CHECKING:
    from collections.abc import Callable

    from register.config import Config

__all__ = ["SOURCES", "CellWrite", "Grid", "Source", "WriteReport", "missing_tab_message", "open_source",
           "read_grid"]

#: [register] bron -> "module:class"; imported only when chosen (gspread is heavy).
SOURCES = {
    "xlsx": "register.sources.xlsx:XlsxSource",
    "google": "register.sources.google:GoogleSource",
}


def open_source(config: Config, session: Any = None) -> Source:
    """The configured source. ``session`` replaces the HTTP session of a Google source (tests)."""
    module_name, class_name = SOURCES[config.register.bron].split(":")
    cls: Callable[..., Source] = getattr(importlib.import_module(module_name), class_name)
    if session is not None:
        return cls(config, session=session)
    return cls(config)


def read_grid(config: Config, session: Any = None) -> Grid:
    """Read the configured register tab in full."""
    return open_source(config, session).read()
