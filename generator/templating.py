"""The one jinja2 Environment of klachten: owner's templates first, ours second.

Autoescaped for .html/.xml, StrictUndefined so that a missing field fails loudly instead of
printing an empty gap, and the shared filters (datum_nl, termijn, in_woorden, regel).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import jinja2
import numpy as np

from register.config import Config, Term
from register.parse import format_date_nl

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def datum_nl(value) -> str:
    """21 november 2026; '' for an empty date."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, np.datetime64) and np.isnat(value):
        return ""
    return format_date_nl(value)


def regel(value) -> str:
    """All whitespace (newlines, tabs, runs of spaces) as single spaces: one value stays on one line."""
    return " ".join(str(value).split())


def termijn(value: Term) -> str:
    """'7 werkdagen', '2 weken'."""
    return str(value)


def in_woorden(value: Term) -> str:
    """'zeven werkdagen', 'twee weken'."""
    return value.in_words


@lru_cache(maxsize=8)
def _environment(owner_dir: str | None) -> jinja2.Environment:
    loaders = []
    if owner_dir:
        loaders.append(jinja2.FileSystemLoader(owner_dir))
    loaders.append(jinja2.FileSystemLoader(str(TEMPLATES)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters.update(datum_nl=datum_nl, termijn=termijn, in_woorden=in_woorden, regel=regel)
    return env


def environment(config: Config | None = None) -> jinja2.Environment:
    """The shared Environment; searches the owner's folder ([brieven] sjablonen) first."""
    owner = None
    if config is not None and config.brieven.sjablonen:
        folder = config.resolve(config.brieven.sjablonen)
        owner = str(folder) if folder.is_dir() else None
    return _environment(owner)


def render(config: Config | None, name: str, **context) -> str:
    from register.errors import KlachtenError

    try:
        return environment(config).get_template(name).render(**context)
    except jinja2.UndefinedError as exc:
        raise KlachtenError(f"sjabloon '{name}' gebruikt een onbekend veld: {exc.message}") from None
    except jinja2.TemplateSyntaxError as exc:
        raise KlachtenError(f"sjabloon '{exc.filename or name}' regel {exc.lineno}: {exc.message}") from None
