"""Due dates, retention and flags for every complaint at once (no per-row loop).

Definitions, all as ``datetime64[D]``:

- ``acknowledge_due``: receipt + the acknowledgement term.
- ``decision_due_original``: receipt + the decision term.
- ``extension_limit``: decision_due_original + the maximum extension.
- ``decision_due``: Verlengd tot when a valid extension was announced on or before
  decision_due_original and does not exceed extension_limit; otherwise decision_due_original.
- ``decision_due`` of a complaint whose Standpunt is "buiten de regeling": receipt + the
  buiten_regeling term (no extension).
- ``retention_expires``: Datum standpunt of a closed complaint + the retention period, or, when
  the complaint went to an external procedure (Geëscaleerd naar) that has ended, Procedure
  afgerond op + the retention period if that is later; from that day on the personal data may
  (and should) be removed. A closed complaint without Datum standpunt has no expiry (NaT): it is
  kept until the date is filled in, and `controleer` reports the empty cell as an error.
- ``extension_late``: Datum uitstelbericht on or after decision_due_original (the notice came
  on or after the last day instead of ahead of it), for figures that count such notices apart.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from .calendar import NAT, WorkCalendar
from .config import Config
from .model import Register
from .periods import half_year, half_year_labels, half_year_of, last_ended_half_year
from .reviews import Review
from .schema import CLOSED, OUTSIDE
from .signals import COMPLAINT_SIGNALS, REGISTER_SIGNALS, FlagInputs

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
    later: np.ndarray = (month_start + np.timedelta64(months, "M")).astype("datetime64[D]") + offset
    return later


def open_complaints(reg: Register) -> np.ndarray:
    """True for complaints still waiting for a decision: received, not closed, no Datum standpunt."""
    from .figures import waiting

    return waiting(reg.frame["status"].to_numpy(), reg.dates("decided"), reg.dates("received"))


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
    outside = reg.frame["outcome"].to_numpy() == OUTSIDE
    if outside.any():
        decision_due = np.where(outside, calendar.add_term(received, terms.buiten_regeling), decision_due)
    closed = (reg.frame["status"].to_numpy() == CLOSED)
    decided = reg.dates("decided")
    ended = reg.dates("escalation_ended")
    # NaT never wins: the later of Datum standpunt and the end of an external procedure.
    counted_from = np.where(~np.isnat(ended) & (np.isnat(decided) | (ended > decided)), ended, decided)
    close_date = np.where(closed & ~np.isnat(decided), counted_from, NAT)
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
        "extension_late": ~np.isnat(sent) & (sent >= decision_original),
    })


def _urgency_numbers(reg: Register) -> np.ndarray:
    """Urgentie as int64 (0 when empty); each distinct value converted once."""
    codes, uniques = pd.factorize(reg.frame["urgency"].to_numpy())  # never NA: '' when empty
    numbers = np.array([int(u) if u else 0 for u in uniques] + [0], dtype=np.int64)
    return numbers[codes]


def _review_inputs(reg: Register, peildatum: dt.date, reviews: list[Review]) -> tuple[np.ndarray, np.ndarray]:
    """Every ended half-year in which complaints were received, oldest first: (its end, whether
    a review covering it was recorded). A missed earlier half-year is not dropped."""
    received = reg.dates("received")
    received = received[~np.isnat(received)]
    last = last_ended_half_year(peildatum)
    if not len(received):
        return np.array([], dtype="datetime64[D]"), np.array([], dtype=bool)
    labels = np.unique(half_year_labels(received[received <= np.datetime64(last.end, "D")]))
    halves = [half_year(label) for label in labels]
    return (np.array([h.end for h in halves], dtype="datetime64[D]"),
            np.array([any(r.covers(h) for r in reviews) for h in halves], dtype=bool))


def flag_inputs(reg: Register, deadlines: pd.DataFrame, peildatum: dt.date, config: Config,
                calendar: WorkCalendar, reviews: list[Review] | None = None) -> FlagInputs:
    """What every signal's condition looks at, as of ``peildatum``."""
    today = np.datetime64(peildatum, "D")
    frame = reg.frame
    n = len(frame)
    open_ = open_complaints(reg)
    dates = {key: deadlines[key].to_numpy(dtype="datetime64[D]")
             for key in ("acknowledge_due", "decision_due", "decision_due_original", "retention_expires")}
    half_year_end, half_year_reviewed = _review_inputs(reg, peildatum, reviews or [])
    escalated = frame["escalated_to"].to_numpy() != ""
    return FlagInputs(
        today=today, warn=config.termijnen.waarschuwing_werkdagen, open_=open_,
        not_acknowledged=open_ & np.isnat(reg.dates("acknowledged")),
        no_extension=~deadlines["has_extension"].to_numpy() & np.isnat(reg.dates("extension_sent")),
        closed=frame["status"].to_numpy() == CLOSED, anonymised=~np.isnat(reg.dates("anonymised")),
        escalated=escalated, escalation_open=escalated & np.isnat(reg.dates("escalation_ended")),
        escalation_ask=add_months(reg.dates("decided"), config.bewaren.procedure_navragen.months),
        outside=frame["outcome"].to_numpy() == OUTSIDE, extension_lead=config.termijnen.uitstel_melden_werkdagen,
        working_days_to_ack=calendar.working_days_between(np.full(n, today), dates["acknowledge_due"]),
        working_days_to_decision=calendar.working_days_between(np.full(n, today), dates["decision_due_original"]),
        urgency=_urgency_numbers(reg), follow_up=reg.dates("follow_up"),
        half_year_end=half_year_end, half_year_reviewed=half_year_reviewed,
        **dates)


def compute_flags(reg: Register, deadlines: pd.DataFrame, peildatum: dt.date, config: Config,
                  calendar: WorkCalendar, inputs: FlagInputs | None = None) -> pd.DataFrame:
    """Flags on complaints as of ``peildatum``: one row per (complaint, signal), in SIGNALS order,
    within a signal by its order_by array (when not 'due'), then due date, then number.

    Columns: ``row`` (position in reg.frame), ``klachtnummer``, ``signaal``, ``uiterlijk``
    (datetime64[D]), ``dagen_te_laat`` (calendar days past due; negative = days left),
    ``behandelaar``.
    """
    inputs = inputs or flag_inputs(reg, deadlines, peildatum, config, calendar)
    parts = []
    for signal in COMPLAINT_SIGNALS:
        rows = np.flatnonzero(signal.condition(inputs))
        if len(rows) == 0:
            continue
        part = _flag_part(reg, inputs, rows, signal.name, getattr(inputs, signal.due))
        keys = [part["klachtnummer"].to_numpy(), part["uiterlijk"].to_numpy()]
        if signal.order_by != "due":
            keys.append(np.asarray(getattr(inputs, signal.order_by))[rows])
        parts.append(part.iloc[np.lexsort(keys)])
    if not parts:  # the same columns, with the same dtypes
        return _flag_part(reg, inputs, np.zeros(0, dtype=np.intp), "", inputs.decision_due)
    return pd.concat(parts, ignore_index=True)


def _flag_part(reg: Register, inputs: FlagInputs, rows: np.ndarray, name: str, due: np.ndarray) -> pd.DataFrame:
    """The flags of one signal on ``rows``, unsorted."""
    return pd.DataFrame({
        "row": rows,
        "klachtnummer": reg.frame["complaint_no"].to_numpy()[rows],
        "signaal": name,
        "uiterlijk": due[rows],
        "dagen_te_laat": (inputs.today - due[rows]).astype(np.int64),
        "behandelaar": reg.frame["handler"].to_numpy()[rows],
    })


def compute_reminders(inputs: FlagInputs) -> pd.DataFrame:
    """Flags on the register as a whole (scope "register"): columns ``signaal``, ``periode``
    (the half-year label, e.g. '2026-H1') and ``uiterlijk`` (datetime64[D])."""
    rows = []
    for signal in REGISTER_SIGNALS:
        due = getattr(inputs, signal.due)  # datetime64[D], as FlagInputs declares
        for i in np.flatnonzero(signal.condition(inputs)):
            rows.append({"signaal": signal.name, "periode": half_year_of(due[i].astype(dt.date)).label,
                         "uiterlijk": due[i]})
    return pd.DataFrame(rows, columns=["signaal", "periode", "uiterlijk"])
