"""Due dates, retention and flags for every complaint at once (no per-row loop).

Definitions, all as ``datetime64[D]``:

- ``acknowledge_due``: receipt + the acknowledgement term.
- ``decision_due_original``: receipt + the decision term.
- ``extension_limit``: decision_due_original + the maximum extension.
- ``decision_due``: Verlengd tot when a valid extension was announced on or before
  decision_due_original and does not exceed extension_limit; otherwise decision_due_original.
- ``retention_expires``: Datum standpunt of a closed complaint + the retention period; from
  that day on the personal data may (and should) be removed.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from .calendar import NAT, WorkCalendar
from .config import Config
from .model import Register
from .schema import CLOSED
from .signals import SIGNALS, FlagInputs

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

def today_amsterdam() -> dt.date:
    """Today's date in the Netherlands, whatever the machine's time zone."""
    return dt.datetime.now(AMSTERDAM).date()


def add_months(dates: np.ndarray, months: int) -> np.ndarray:
    """Calendar months later; a day that does not exist in the target month overflows forward
    (31 January + 1 month = 3 March), so the result is never shorter than the period."""
    dates = np.asarray(dates, dtype="datetime64[D]")
    month_start = dates.astype("datetime64[M]")
    offset = dates - month_start.astype("datetime64[D]")
    return (month_start + np.timedelta64(months, "M")).astype("datetime64[D]") + offset


def open_complaints(reg: Register) -> np.ndarray:
    """True for complaints still waiting for a decision: received, not closed, no Datum standpunt."""
    return ((reg.frame["status"].to_numpy() != CLOSED) & np.isnat(reg.dates("decided"))
            & ~np.isnat(reg.dates("received")))


def compute_deadlines(reg: Register, config: Config, calendar: WorkCalendar) -> pd.DataFrame:
    """One row per complaint (aligned with ``reg.frame``) with its due dates."""
    terms = config.termijnen
    received = reg.dates("received")
    ack_due = calendar.add_term(received, terms.bevestiging)
    decision_original = calendar.add_term(received, terms.standpunt)
    limit = calendar.add_term(decision_original, terms.uitstel_maximaal)
    sent = reg.dates("extension_sent")
    until = reg.dates("extended_until")
    has_extension = ~np.isnat(sent) & ~np.isnat(until)
    announced_in_time = has_extension & (sent <= decision_original)
    within_limit = has_extension & (until <= limit)
    valid = announced_in_time & within_limit
    decision_due = np.where(valid, np.maximum(until, decision_original), decision_original)
    closed = (reg.frame["status"].to_numpy() == CLOSED)
    decided = reg.dates("decided")
    close_date = np.where(closed, decided, NAT)
    return pd.DataFrame({
        "acknowledge_due": ack_due,
        "decision_due_original": decision_original,
        "extension_limit": limit,
        "has_extension": has_extension,
        "extension_in_time": announced_in_time,
        "extension_within_limit": within_limit,
        "extension_valid": valid,
        "decision_due": decision_due,
        "retention_expires": add_months(close_date, config.bewaren.termijn.months),
    })


def compute_flags(reg: Register, deadlines: pd.DataFrame, peildatum: dt.date, config: Config,
                  calendar: WorkCalendar) -> pd.DataFrame:
    """Flags as of ``peildatum``: one row per (complaint, signal), ordered by due date.

    Columns: ``row`` (position in reg.frame), ``klachtnummer``, ``signaal``, ``uiterlijk``
    (datetime64[D]), ``dagen_te_laat`` (calendar days past due; negative = days left),
    ``behandelaar``.
    """
    today = np.datetime64(peildatum, "D")
    frame = reg.frame
    n = len(frame)
    open_ = open_complaints(reg)
    dates = {key: deadlines[key].to_numpy(dtype="datetime64[D]")
             for key in ("acknowledge_due", "decision_due", "decision_due_original", "retention_expires")}
    inputs = FlagInputs(
        today=today, warn=config.termijnen.waarschuwing_werkdagen, open_=open_,
        not_acknowledged=open_ & np.isnat(reg.dates("acknowledged")),
        no_extension=~deadlines["has_extension"].to_numpy() & np.isnat(reg.dates("extension_sent")),
        closed=frame["status"].to_numpy() == CLOSED, anonymised=~np.isnat(reg.dates("anonymised")),
        escalated=frame["escalated_to"].to_numpy() != "",
        working_days_to_ack=calendar.working_days_between(np.full(n, today), dates["acknowledge_due"]),
        working_days_to_decision=calendar.working_days_between(np.full(n, today), dates["decision_due_original"]),
        **dates)
    masks = {signal.name: (signal.condition(inputs), getattr(inputs, signal.due)) for signal in SIGNALS}
    parts = []
    for signal, (mask, due) in masks.items():
        rows = np.flatnonzero(mask)
        if len(rows) == 0:
            continue
        parts.append(pd.DataFrame({
            "row": rows,
            "klachtnummer": frame["complaint_no"].to_numpy()[rows],
            "signaal": signal,
            "uiterlijk": due[rows],
            "dagen_te_laat": (today - due[rows]).astype(np.int64),
            "behandelaar": frame["handler"].to_numpy()[rows],
        }))
    if not parts:
        return pd.DataFrame({"row": pd.Series(dtype=np.int64), "klachtnummer": pd.Series(dtype=object),
                             "signaal": pd.Series(dtype=object),
                             "uiterlijk": pd.Series(dtype="datetime64[s]"),
                             "dagen_te_laat": pd.Series(dtype=np.int64),
                             "behandelaar": pd.Series(dtype=object)})
    # parts are already in SIGNALS order; within a signal, order by due date then number.
    ordered = []
    for part in parts:
        order = np.lexsort((part["klachtnummer"].to_numpy(dtype=str), part["uiterlijk"].to_numpy()))
        ordered.append(part.iloc[order])
    return pd.concat(ordered, ignore_index=True)
