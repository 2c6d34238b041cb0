"""The personal-data policy, in one place: which columns are personal, whether a complaint's
data is still kept or its retention expired, how short a value is too short to look for, the
permissions of private files and how a cell is neutralised before it leaves the tool.

Everything else imports these rules; ``tests/test_policy.py`` fails when a module lists
personal columns by hand again.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from .schema import BY_KEY, CLOSED, MARKER, PERSONAL_KEYS, REPRESENTATIVE_KEYS

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = [
    "DIR_MODE", "FILE_MODE", "FORMULA_START", "MARKER", "MIN_TOKEN", "PERSONAL_HEADERS", "PERSONAL_KEYS",
    "REPRESENTATIVE_KEYS",
    "address_problem", "anonymisable", "canonical_number", "kept", "long_enough", "neutralise", "not_anonymisable_reason",
    "retention_expired",
]

# -- which columns are personal ----------------------------------------------------------------
#: PERSONAL_KEYS (derived in the schema from each column's ``personal`` flag): never published,
#: replaced by MARKER on anonymisation, handed over by `inzage`. Their sheet headers:
PERSONAL_HEADERS: tuple[str, ...] = tuple(BY_KEY[k].header for k in PERSONAL_KEYS)


def canonical_number(number: str) -> str:
    """The form a Klachtnummer is recorded in (manifest, logs): NFKC, no surrounding or inner
    white space, upper case. 'k2024/005 ' and 'K2024/005' are the same complaint."""
    return "".join(unicodedata.normalize("NFKC", str(number)).split()).upper()


# -- kept or expired -----------------------------------------------------------------------------
def retention_expired(expires: npt.NDArray[np.datetime64], day: np.datetime64 | dt.date) -> npt.NDArray[np.bool_]:
    """Per complaint: its retention ended on or before ``day`` (the expiry day itself counts as
    expired). An empty expiry date (NaT) never expires."""
    import numpy as np

    expires = np.asarray(expires, dtype="datetime64[D]")
    limit = np.asarray(day, dtype="datetime64[D]")
    expired: npt.NDArray[np.bool_] = ~np.isnat(expires) & (expires <= limit)
    return expired


def kept(expires: npt.NDArray[np.datetime64], anonymised: npt.NDArray[np.datetime64],
         day: np.datetime64 | dt.date) -> npt.NDArray[np.bool_]:
    """Per complaint: its personal data may still be used (a letter made): not anonymised and
    its retention not expired on ``day``."""
    import numpy as np

    still: npt.NDArray[np.bool_] = np.isnat(np.asarray(anonymised, dtype="datetime64[D]")) & ~retention_expired(expires, day)
    return still


def anonymisable(closed: npt.NDArray[np.bool_], escalation_open: npt.NDArray[np.bool_],
                 anonymised: npt.NDArray[np.bool_], expires: npt.NDArray[np.datetime64],
                 day: np.datetime64 | dt.date) -> npt.NDArray[np.bool_]:
    """Per complaint: its personal data must now be removed: closed, retention expired, no
    external procedure still open (Geëscaleerd naar without Procedure afgerond op: the data is
    kept for it), not yet anonymised."""
    return closed & retention_expired(expires, day) & ~anonymised & ~escalation_open


def not_anonymisable_reason(status: str, escalated_to: str, anonymised: str,
                            escalation_ended: str = "") -> str | None:
    """Why a complaint picked for anonymisation must be left alone after all (the register
    changed since it was read), as a Dutch phrase after 'klacht K…'; None when it may go. The
    same rule as :func:`anonymisable`: an escalated complaint may go once its procedure ended."""
    if status.strip().lower() != CLOSED:
        return "is niet meer afgehandeld"
    if escalated_to.strip() and not escalation_ended.strip():
        return "is geëscaleerd"
    if anonymised.strip():
        return "is al geanonimiseerd"
    return None


# -- mail addresses ------------------------------------------------------------------------------
_ADDRESS = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[A-Za-z]{2,}")


def address_problem(value: str) -> tuple[str, str] | None:
    """(finding code, Dutch phrase) when an E-mail cell is not exactly one usable address; None
    when it is. A line break or control character could become a mail header, a list would be
    shown as several addresses but mailed to one: both are errors (``email_regeleinde``,
    ``email_meerdere``); anything else malformed is ``email_ongeldig``."""
    text = value.strip()
    if not text:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in text):
        return "email_regeleinde", "bevat een regeleinde of stuurteken; zet er precies één e-mailadres in"
    if sum("@" in part for part in re.split(r"[,;\s]+", text)) > 1:
        return "email_meerdere", "bevat meer dan één e-mailadres; zet er precies één in (een tweede in een notitie)"
    if not _ADDRESS.fullmatch(text):
        return "email_ongeldig", "is geen geldig e-mailadres"
    return None


# -- the token rule ------------------------------------------------------------------------------
#: A personal value (or token of one) shorter than this is not looked for, on the site or in
#: private files: 'ja' or '12' would match by chance and prove nothing.
MIN_TOKEN = 5


def long_enough(value: str) -> bool:
    """A value worth looking for: at least MIN_TOKEN characters and not the anonymisation marker."""
    return len(value) >= MIN_TOKEN and value != MARKER


# -- private files ---------------------------------------------------------------------------------
#: Every folder the private store makes or adopts, and every file in it: the owner only.
DIR_MODE = 0o700
FILE_MODE = 0o600

# -- neutralising cells that leave the tool --------------------------------------------------------
#: OWASP 'CSV injection': a cell starting with one of these is a formula to Excel and Sheets.
#: Compared after NFKC, so the full-width forms ('＝', '＋', '－', '＠') count as well.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: Any) -> Any:
    """A cell a spreadsheet shows as text: a single quote before a would-be formula. Anything
    that is not a string is returned unchanged."""
    if not isinstance(value, str) or not value:
        return value
    first = unicodedata.normalize("NFKC", value[0])
    return "'" + value if first.startswith(FORMULA_START) else value
