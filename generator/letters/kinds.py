"""The letter kinds: one declaration each, read by rendering, `brief`, `brieven` and the CLI help.

Adding a kind is one :class:`LetterKind` in ``LETTER_KINDS`` plus its template
``templates/brieven/<name>.html``; ``tests/test_letter_kinds.py`` fails when a declaration or its
template is incomplete. Kept free of heavy imports: the CLI reads the names for its help text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from register.check import CheckResult


@dataclass(frozen=True)
class LetterKind:
    """One kind of letter to a complainant."""

    name: str  # command-line word and file-name suffix
    noun: str  # with its article, for messages: 'de ontvangstbevestiging', 'het standpunt'
    title: str  # PDF title and mail subject; {nr} is the complaint number
    required: tuple[str, ...]  # schema keys the letter cannot do without
    due: Callable[[CheckResult, int], npt.NDArray[np.bool_]]  # (result, recent days) -> rows `brieven` makes one for
    recorded_in: str | None  # date column filled when the letter was mailed (None: the owner's own column)
    correspondence: str  # the word in the Correspondentie line: '2026-11-23 <word> per e-mail verstuurd'

    @property
    def template(self) -> str:
        return f"brieven/{self.name}.html"


def letter_date(result: CheckResult) -> dt.date:
    """The date every letter carries: the day it is made (the peildatum), or the next working day
    when that is a weekend day or a closed day. A letter is never dated from a register column."""
    import numpy as np

    day = np.datetime64(result.peildatum, "D")
    return np.busday_offset(day, 0, roll="forward", holidays=result.calendar.holidays).astype(dt.date)


def still_kept(result: CheckResult) -> npt.NDArray[np.bool_]:
    """Complaints a letter may still be made for: not anonymised, retention not expired.
    Every kind's ``due`` includes it."""
    from register.policy import kept

    return kept(result.deadlines["retention_expires"].to_numpy(dtype="datetime64[D]"),
                result.register.dates("anonymised"), result.peildatum)


def _acknowledgement_due(result: CheckResult, recent: int) -> npt.NDArray[np.bool_]:
    import numpy as np

    from register.deadlines import open_complaints

    reg = result.register
    return open_complaints(reg) & np.isnat(reg.dates("acknowledged")) & still_kept(result)


def _extension_due(result: CheckResult, recent: int) -> npt.NDArray[np.bool_]:
    """Signal uitstelbericht_nodig, with or without a reason: a missing reason is reported, not skipped."""
    import numpy as np

    flags = result.flags
    needed = np.zeros(len(result.register), dtype=bool)
    needed[flags.loc[flags["signaal"] == "uitstelbericht_nodig", "row"].to_numpy(dtype=np.int64)] = True
    return needed & still_kept(result)


def _closed_recently(result: CheckResult, recent: int) -> npt.NDArray[np.bool_]:
    """Closed, with a Datum standpunt no more than ``recent`` days before the peildatum (or later)."""
    import numpy as np

    from register.schema import CLOSED

    reg = result.register
    decided = reg.dates("decided")
    since = np.datetime64(result.peildatum, "D") - np.timedelta64(recent, "D")
    with np.errstate(invalid="ignore"):
        recent_enough = ~np.isnat(decided) & (decided >= since)
    return (reg.frame["status"].to_numpy() == CLOSED) & recent_enough & still_kept(result)


def _decision_due(result: CheckResult, recent: int) -> npt.NDArray[np.bool_]:
    outcome = result.register.frame["outcome"].to_numpy()
    return _closed_recently(result, recent) & (outcome != "") & (outcome != WITHDRAWN) & (outcome != OUTSIDE)


def _outside_due(result: CheckResult, recent: int) -> npt.NDArray[np.bool_]:
    return _closed_recently(result, recent) & (result.register.frame["outcome"].to_numpy() == OUTSIDE)


def _withdrawal_due(result: CheckResult, recent: int) -> npt.NDArray[np.bool_]:
    return _closed_recently(result, recent) & (result.register.frame["outcome"].to_numpy() == WITHDRAWN)


WITHDRAWN = "ingetrokken"
OUTSIDE = "buiten de regeling"  # register.schema.OUTSIDE; not imported: this module stays light

LETTER_KINDS: tuple[LetterKind, ...] = (
    LetterKind("ontvangstbevestiging", "de ontvangstbevestiging", "Ontvangstbevestiging klacht {nr}",
               ("name", "received", "description"), _acknowledgement_due,
               recorded_in="acknowledged", correspondence="ontvangstbevestiging"),
    LetterKind("uitstelbericht", "het uitstelbericht", "Uitstelbericht klacht {nr}",
               ("name", "received", "extension_reason"), _extension_due,
               recorded_in="extension_sent", correspondence="uitstelbericht"),
    LetterKind("standpunt", "het standpunt", "Standpunt over klacht {nr}",
               ("name", "received", "description", "outcome", "motivation"), _decision_due,
               recorded_in=None, correspondence="standpunt"),
    # The short letter for a withdrawn complaint: no findings, no escalation options.
    LetterKind("intrekking", "de bevestiging van de intrekking", "Intrekking klacht {nr}",
               ("name", "received", "outcome"), _withdrawal_due,
               recorded_in=None, correspondence="bevestiging van de intrekking"),
    # A complaint the regeling does not cover: why not, and where the complainant can go instead.
    LetterKind("buiten_regeling", "het bericht 'buiten de regeling'",
               "Uw klacht {nr} valt buiten de klachtenregeling",
               ("name", "received", "description", "outcome", "motivation"), _outside_due,
               recorded_in=None, correspondence="bericht buiten de regeling"),
)

BY_NAME: dict[str, LetterKind] = {kind.name: kind for kind in LETTER_KINDS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def names_in_words() -> str:
    """'ontvangstbevestiging, uitstelbericht of standpunt' (for help texts and messages)."""
    return ", ".join(NAMES[:-1]) + f" of {NAMES[-1]}" if len(NAMES) > 1 else NAMES[0]
