"""Every figure the tool reports about complaints, defined once.

The public annual report (generator/site/jaarverslag.py), the daily mail (through the signals)
and the half-year analysis (generator/analysis/compute.py) all count with these definitions, so
"open past its term" or "handled" means the same in each of them. Per complaint with a readable
Datum ontvangst:

- ``open``: waiting for a decision: no Status afgehandeld and no Datum standpunt.
- ``handled``: not open: Status afgehandeld, or a Datum standpunt.
- ``withdrawn``: handled with Standpunt 'ingetrokken'. There is no standpunt to be on time with:
  counted apart, never in "standpunt op tijd" and never in the handling time.
- ``undated``: handled, not withdrawn, without Datum standpunt: counted as not on time.
- ``on_time``: handled, not withdrawn, Datum standpunt on or before its (validly extended) due date.
- ``late``: handled, not withdrawn, decided after the due date or undated.
- ``open_past_term``: open and the due date has passed (the due day itself is still on time):
  exactly what the signal ``standpunt_te_laat`` flags in the daily mail.
- ``running``: open and the due date has not passed.
- "standpunt op tijd" is ``on_time`` over ``on_time + late + open_past_term``.
- ``ack_on_time`` / ``ack_late`` / ``ack_pending``: Datum bevestiging on or before its due date;
  after it, or none while the due date has passed; none and the due date still to come.
- ``handling_days``: working days from receipt to Datum standpunt, for handled complaints with a
  date that are not withdrawn (NaN otherwise): the unit of the site and of the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .schema import CLOSED

if TYPE_CHECKING:
    import numpy.typing as npt

    from .check import CheckResult

#: The Standpunt value of a withdrawn complaint (one of schema.OUTCOMES).
WITHDRAWN = "ingetrokken"

#: The boolean columns of :func:`classify`, in the order the docstring defines them.
MASKS = ("open", "handled", "withdrawn", "undated", "on_time", "late", "open_past_term", "running",
         "ack_on_time", "ack_late", "ack_pending")


def waiting(status: npt.NDArray[np.object_], decided: npt.NDArray[np.datetime64],
            received: npt.NDArray[np.datetime64]) -> npt.NDArray[np.bool_]:
    """True for complaints still waiting for a decision (``open`` above)."""
    result: npt.NDArray[np.bool_] = (status != CLOSED) & np.isnat(decided) & ~np.isnat(received)
    return result


def past_term(open_: npt.NDArray[np.bool_], due: npt.NDArray[np.datetime64],
              today: np.datetime64) -> npt.NDArray[np.bool_]:
    """Open complaints whose decision is due before ``today`` (``open_past_term`` above)."""
    result: npt.NDArray[np.bool_] = open_ & (today > due)
    return result


def classify(result: CheckResult) -> pd.DataFrame:
    """One row per complaint (aligned with ``result.register.frame``): a column per name in
    MASKS plus ``handling_days`` (float, working days), as of ``result.peildatum``."""
    reg, dl = result.register, result.deadlines
    today = np.datetime64(result.peildatum, "D")
    received, decided = reg.dates("received"), reg.dates("decided")
    acknowledged = reg.dates("acknowledged")
    ack_due = dl["acknowledge_due"].to_numpy(dtype="datetime64[D]")
    due = dl["decision_due"].to_numpy(dtype="datetime64[D]")
    placed = ~np.isnat(received)
    open_ = waiting(reg.frame["status"].to_numpy(), decided, received)
    handled = placed & ~open_
    withdrawn = handled & (reg.frame["outcome"].to_numpy() == WITHDRAWN)
    counted = handled & ~withdrawn
    has_date = ~np.isnat(decided)
    on_time = counted & has_date & (decided <= due)
    has_ack = ~np.isnat(acknowledged)
    days = np.full(len(reg.frame), np.nan)
    dated = counted & has_date
    if dated.any():
        days[dated] = result.calendar.working_days_between(received[dated], decided[dated])
    return pd.DataFrame({
        "open": open_, "handled": handled, "withdrawn": withdrawn, "undated": counted & ~has_date,
        "on_time": on_time, "late": counted & ~on_time, "open_past_term": past_term(open_, due, today),
        "running": open_ & (today <= due),
        "ack_on_time": placed & has_ack & (acknowledged <= ack_due),
        "ack_late": placed & ((has_ack & (acknowledged > ack_due)) | (~has_ack & (ack_due < today))),
        "ack_pending": placed & ~has_ack & (ack_due >= today),
        "handling_days": days,
    })


@dataclass(frozen=True)
class Tally:
    """The counts of MASKS over a set of complaints."""

    received: int
    open: int
    handled: int
    withdrawn: int
    undated: int
    on_time: int
    late: int
    open_past_term: int
    running: int
    ack_on_time: int
    ack_late: int
    ack_pending: int

    @property
    def decision_measured(self) -> int:
        """The denominator of "standpunt op tijd": handled (not withdrawn) or past the term."""
        return self.on_time + self.late + self.open_past_term

    @property
    def ack_measured(self) -> int:
        return self.ack_on_time + self.ack_late


def tally(part: pd.DataFrame) -> Tally:
    """Counts over rows of :func:`classify` (any subset of them, e.g. one year)."""
    sums = {name: int(part[name].to_numpy(dtype=bool).sum()) for name in MASKS}
    return Tally(received=len(part), **sums)
