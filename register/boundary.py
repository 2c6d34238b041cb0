"""The public boundary where text enters: what the site publishes, checked for personal values.

The site publishes aggregate figures, the config's texts about the organisation and its
regeling, and the text of a few register columns (:data:`PUBLISHED_TEXT_KEYS`: today the
Maatregel, listed on the year report). :func:`published_findings` looks in each of those texts
for a personal value (:data:`register.schema.PERSONAL_KEYS`) of ANY complaint, with the same
tokens and normalisation as the built-output guard (:mod:`register.personal`), so the owner
sees the problem in `controleer` (cell, complaint number, code ``publiek_persoonsgegeven``)
instead of as a refused site build. The built-output guard (generator/site/privacy.py) stays
the backstop for everything else that ends up in the built site.

The cost grows with the published text plus the register: the published texts become one
set of candidate tokens (the smaller side), and each personal column is matched against it in
one vectorised pass (:func:`register.personal.register_tokens` with ``page``).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .personal import candidates, common_words, register_tokens, shingles, spaced_column
from .schema import BY_KEY, MARKER, PERSONAL_KEYS, URGENCY_LABELS

if TYPE_CHECKING:
    from .config import Config
    from .model import Register
    from .validate import Finding

# TODO(policy): these declarations move to register/policy.py when it lands; the guard, the
# year report (generator/site/jaarverslag.py) and this check read them from here until then.
#: Register columns whose text the site publishes as written (the year report's measures).
PUBLISHED_TEXT_KEYS: tuple[str, ...] = ("measure",)
#: Config sections whose text fields the site publishes (home page, regeling, form, footer).
PUBLISHED_CONFIG_SECTIONS: tuple[str, ...] = ("organisatie", "klachtbehandeling", "escalatie")
#: Longest concatenation of words compared; as the guard's (generator/site/privacy.py MAX_CHARS).
MAX_CHARS = 160
MONTHS = "januari februari maart april mei juni juli augustus september oktober november december"
CODE = "publiek_persoonsgegeven"


_COLUMNS_OF: dict[int, dict[str, tuple[list[str], list[int]]]] = {}  # by id(register), while it lives


def personal_columns(reg: Register) -> dict[str, tuple[list[str], list[int]]]:
    """{column key: (cell texts, sheet rows)} of every filled personal cell; made once per
    register (the boundary check and the site's guard share it; callers must not change it)."""
    if id(reg) in _COLUMNS_OF:
        return _COLUMNS_OF[id(reg)]
    columns = _personal_columns(reg)
    _COLUMNS_OF[id(reg)] = columns
    weakref.finalize(reg, _COLUMNS_OF.pop, id(reg), None)
    return columns


def _personal_columns(reg: Register) -> dict[str, tuple[list[str], list[int]]]:
    from .parse import cell_text

    columns = {}
    for key in PERSONAL_KEYS:
        raw = reg.raw.get(key)
        if raw is None or len(raw) == 0:
            continue
        cells = np.where(pd.isna(raw), "", raw)
        if pd.api.types.infer_dtype(raw, skipna=True) not in ("string", "empty"):  # numbers, dates
            odd = np.flatnonzero(np.frompyfunc(lambda v: type(v) is not str, 1, 1)(cells).astype(bool))
            cells[odd] = [cell_text(v) for v in cells[odd]]
        filled = np.flatnonzero(cells != "")
        columns[key] = (cells[filled].tolist(), reg.sheet_rows[filled].tolist())
    return columns


def published_config_texts(config: Config) -> Iterator[tuple[str, str]]:
    """(where, text) of every config text the site publishes, e.g. ('organisatie.naam', ...)."""
    for section_name in PUBLISHED_CONFIG_SECTIONS:
        section = getattr(config, section_name)
        items = [(section_name, section)]
        if section_name == "escalatie":
            items = [(f"escalatie.mogelijkheden[{i}]", body) for i, body in enumerate(section.mogelijkheden, start=1)]
        for where, obj in items:
            if not is_dataclass(obj):
                continue
            for f in fields(obj):
                value = getattr(obj, f.name)
                if isinstance(value, str) and value.strip():
                    yield f"{where}.{f.name}", value


def own_texts(config: Config) -> list[str]:
    """Texts that are ours to publish: a single word of them never counts as a personal value
    (as for the guard: a complainant called 'Termijn' cannot block the regulation)."""
    return [*config.lijsten.categorieen, *config.lijsten.oorzaken, *URGENCY_LABELS.values(), MONTHS,
            *(text for _, text in published_config_texts(config))]


def published_findings(reg: Register, config: Config) -> list[Finding]:
    """A finding for every published text (register cell or config text) that holds a personal
    value of any complaint; the message names the column and row of the value, never the value."""
    from .validate import Finding

    sources: list[tuple[str, int | str, str]] = []  # (column key or '', row index or config key, text)
    for key in PUBLISHED_TEXT_KEYS:
        if key in reg.positions:
            column = reg.text(key)
            sources.extend((key, int(i), str(column[i])) for i in np.flatnonzero((column != "") & (column != MARKER)))
    sources.extend(("", where, text) for where, text in published_config_texts(config))
    if not sources:
        return []
    common = common_words(own_texts(config))
    # The published side is the small one (and repeats itself: each distinct text once): its
    # candidate tokens, then every personal column matched against them in one pass.
    distinct = list(dict.fromkeys(text for _, _, text in sources))
    joined = "\x00".join(text.replace("\x00", " ") for text in distinct)
    text_words = [ws.split() for ws in spaced_column(joined).split("\x00")]
    per_text = {text: candidates(ws, MAX_CHARS) - common for text, ws in zip(distinct, text_words, strict=True)}
    everything: set[str] = set().union(*per_text.values())
    runs: set[str] = set().union(*(shingles(ws) for ws in text_words))
    found = register_tokens(personal_columns(reg), common, everything, runs)
    if not found:
        return []
    hits_of = {text: sorted({found[t] for t in tokens.intersection(found)}, key=lambda h: (h[1], PERSONAL_KEYS.index(h[0])))
               for text, tokens in per_text.items() if not tokens.isdisjoint(found)}
    numbers = reg.frame["complaint_no"].to_numpy() if "complaint_no" in reg.frame else None
    findings = []
    for key, where, text in sources:
        hits = hits_of.get(text)
        if not hits:
            continue
        if isinstance(where, int):
            cell, row, label = reg.cell(key, where), int(reg.sheet_rows[where]), f"de {BY_KEY[key].header}"
            number = str(numbers[where]) if numbers is not None else ""
        else:
            cell, row, label, number = f"klachten.toml: {where}", 0, f"de instelling {where}", ""
        source_key, source_row = hits[0]
        more = f" (en {len(hits) - 1} andere)" if len(hits) > 1 else ""
        findings.append(Finding.of(
            CODE, cell, number,
            f"{label} komt op de website maar bevat een persoonsgegeven: de {BY_KEY[source_key].header} "
            f"van rij {source_row}{more}",
            "schrijf de tekst zonder namen, adressen, telefoonnummers of e-mailadressen; "
            "de website wordt anders niet gebouwd", row))
    return findings
