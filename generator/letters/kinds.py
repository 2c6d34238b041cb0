"""The letter kinds: one declaration each, read by rendering, `brief`, `brieven` and the CLI help.

Adding a kind is one :class:`LetterKind` in ``LETTER_KINDS`` plus its template
``templates/brieven/<name>.html``; ``tests/test_letter_kinds.py`` fails when a declaration or its
template is incomplete. Kept free of heavy imports: the CLI reads the names for its help text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from register.check import CheckResult


@dataclass(frozen=True)
class LetterKind:
    """One kind of letter to a complainant."""

    name: str  # command-line word and file-name suffix
    noun: str  # with its article, for messages: 'de ontvangstbevestiging', 'het standpunt'
    title: str  # PDF title; {nr} is the complaint number
    required: tuple[str, ...]  # schema keys the letter cannot do without
    letter_date: Callable[[CheckResult, int], dt.date | None]  # the date the letter carries (None: today)
    due: Callable[[CheckResult], npt.NDArray[np.bool_]]  # complaints for which `brieven` makes one
    # (every kind's ``due`` includes still_kept: no letter after anonymising or past retention)

    @property
    def template(self) -> str:
        return f"brieven/{self.name}.html"


def _date(value: Any) -> dt.date | None:
    import numpy as np

    day = np.datetime64(value, "D")
    return None if np.isnat(day) else day.astype(dt.date)


def still_kept(result: CheckResult) -> npt.NDArray[np.bool_]:
    """Complaints a letter may still be made for: not anonymised, retention not expired."""
    import numpy as np

    expires = result.deadlines["retention_expires"].to_numpy(dtype="datetime64[D]")
    expired = ~np.isnat(expires) & (expires <= np.datetime64(result.peildatum, "D"))
    return np.isnat(result.register.dates("anonymised")) & ~expired


def _acknowledgement_due(result: CheckResult) -> npt.NDArray[np.bool_]:
    import numpy as np

    from register.deadlines import open_complaints

    reg = result.register
    return open_complaints(reg) & np.isnat(reg.dates("acknowledged")) & still_kept(result)


def _extension_due(result: CheckResult) -> npt.NDArray[np.bool_]:
    import numpy as np

    flags = result.flags
    needed = np.zeros(len(result.register), dtype=bool)
    needed[flags.loc[flags["signaal"] == "uitstelbericht_nodig", "row"].to_numpy(dtype=np.int64)] = True
    return needed & (result.register.text("extension_reason") != "") & still_kept(result)


def _decision_due(result: CheckResult) -> npt.NDArray[np.bool_]:
    import numpy as np

    from register.schema import CLOSED

    reg = result.register
    return ((reg.frame["status"].to_numpy() == CLOSED) & ~np.isnat(reg.dates("decided"))
            & (reg.frame["outcome"].to_numpy() != "") & still_kept(result))


LETTER_KINDS: tuple[LetterKind, ...] = (
    LetterKind("ontvangstbevestiging", "de ontvangstbevestiging", "Ontvangstbevestiging klacht {nr}",
               ("name", "received", "description", "handler"),
               lambda result, i: None, _acknowledgement_due),
    LetterKind("uitstelbericht", "het uitstelbericht", "Uitstelbericht klacht {nr}",
               ("name", "received", "extension_reason"),
               lambda result, i: _date(result.register.dates("extension_sent")[i]), _extension_due),
    LetterKind("standpunt", "het standpunt", "Standpunt over klacht {nr}",
               ("name", "received", "description", "outcome", "motivation"),
               lambda result, i: _date(result.register.dates("decided")[i]), _decision_due),
)

BY_NAME: dict[str, LetterKind] = {kind.name: kind for kind in LETTER_KINDS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def names_in_words() -> str:
    """'ontvangstbevestiging, uitstelbericht of standpunt' (for help texts and messages)."""
    return ", ".join(NAMES[:-1]) + f" of {NAMES[-1]}" if len(NAMES) > 1 else NAMES[0]
