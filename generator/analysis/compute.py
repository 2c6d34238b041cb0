"""The review's figures, computed over all complaints at once with pandas (no per-row loops).

A complaint belongs to the half-year and year of its Datum ontvangst; rows without a readable
Datum ontvangst cannot be placed and are only counted as such. Terms are counted honestly:
complaints still open past their due date count as late, complaints closed without a Datum
standpunt count as not on time, and only complaints whose term is still running are left out
(and shown as such).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from register.check import CheckResult
from register.figures import MASKS, classify, tally
from register.parse import clean_text, format_date_nl
from register.periods import Period, half_year, half_year_labels
from register.personal import canonical_phone
from register.schema import MARKER, URGENCY_LABELS

BLANK = "(leeg)"
#: The breakdowns, in report order: (frame column, title).
DIMENSIONS = (("category", "Categorie"), ("cause", "Oorzaak"), ("channel", "Kanaal"),
              ("urgency", "Urgentie"), ("handler", "Behandelaar"), ("outcome", "Standpunt"))
#: How far before and after a measure complaints in its category are compared (days).
MEASURE_WINDOW = 182
MAX_LISTED = 20  # longest list of repeat complainants or open complaints printed in full
SIMILAR_PER_OPEN = 3
#: A measure's effect gets a verdict (gedaald, gestegen) only when the window before or after it
#: holds at least this many complaints: 1 -> 2 is chance, not a trend.
TREND_MINIMUM = 5


@dataclass
class Column:
    """One column of the period tables: a half-year or a year."""

    label: str  # '2026-H2' or '2026'
    title: str  # 'tweede halfjaar 2026' / '2026'
    key: str  # 'half' or 'year': which frame column it selects on


@dataclass
class Breakdown:
    title: str
    columns: list[str]
    rows: list[tuple[str, list[int]]]  # value, count per column


@dataclass
class Figures:
    """Key figures of one column (half-year or year)."""

    received: int
    closed: int
    ack_on_time: int
    ack_late: int
    ack_pending: int
    decision_on_time: int
    decision_late: int
    decision_pending: int
    decision_undated: int  # closed without Datum standpunt: counted as not on time
    withdrawn: int  # withdrawn by the complainant: shown apart, not in "standpunt op tijd"
    days_median: float | None
    days_mean: float | None
    days_p90: float | None
    satisfied_yes: int
    satisfied_no: int
    satisfied_unknown: int
    compensation_total: float
    compensation_count: int
    extension_late: int = 0  # uitstelberichten dated on or after the original deadline: counted apart

    @staticmethod
    def rate(part: int, whole: int) -> float | None:
        return None if whole == 0 else 100.0 * part / whole

    @property
    def ack_rate(self) -> float | None:
        return self.rate(self.ack_on_time, self.ack_on_time + self.ack_late)

    @property
    def decision_rate(self) -> float | None:
        return self.rate(self.decision_on_time, self.decision_on_time + self.decision_late)

    @property
    def satisfaction_rate(self) -> float | None:
        return self.rate(self.satisfied_yes, self.satisfied_yes + self.satisfied_no)


@dataclass
class MeasureEffect:
    measure: str
    category: str
    first: dt.date  # the first Datum standpunt (or ontvangst) of a complaint naming it
    complaints: int  # complaints naming this measure
    before: int  # complaints in the category in the MEASURE_WINDOW days before
    after: int | None  # ... and after; None when that window has not passed yet
    ready_on: dt.date  # the day the 'after' window is complete

    @property
    def verdict(self) -> str:
        if self.after is None:
            return "nog te vroeg"
        if max(self.before, self.after) < TREND_MINIMUM:
            return "te weinig klachten voor een oordeel"
        if self.after < self.before:
            return "gedaald"
        return "gelijk gebleven" if self.after == self.before else "gestegen"


@dataclass
class Complaint:
    """One complaint as listed in the report."""

    number: str
    received: dt.date | None
    category: str
    cause: str
    urgency: str
    name: str = ""
    outcome: str = ""
    decided: dt.date | None = None
    solution: str = ""
    measure: str = ""
    anonymised: bool = False  # personal texts (Oplossing, Naam) were removed


@dataclass
class RepeatGroup:
    complaints: list[Complaint]
    matched_on: list[str]  # 'e-mail', 'telefoon', 'postcode en huisnummer'

    @property
    def names(self) -> list[str]:
        """Each distinct complainant's name, in order of their first complaint: a chain matched
        on an address can join people who live together."""
        seen: dict[str, None] = {}
        for k in self.complaints:
            seen.setdefault(k.name.strip() or "naam onbekend", None)
        return list(seen)


@dataclass
class OpenWithSimilar:
    complaint: Complaint
    similar: list[Complaint]


@dataclass
class UrgencySixLink:
    complaint: Complaint
    earlier: Complaint | None


@dataclass
class Trend:
    """One series over all half-years or years (for the charts)."""

    labels: list[str]
    values: list[float | None]


@dataclass
class Analysis:
    period: Period
    peildatum: dt.date
    columns: list[Column]
    figures: list[Figures]  # one per column
    breakdowns: list[Breakdown]
    received_per_half: Trend
    on_time_per_year: Trend  # decision on time, %
    satisfaction_per_year: Trend
    categories_per_year: Breakdown  # categories (rows) x all years (columns)
    measures: list[MeasureEffect]
    measures_recorded: bool  # any Maatregel at all in the register
    repeat_groups: list[RepeatGroup]
    repeat_total: int  # groups with a complaint in the period
    repeat_complaints: int  # complaints in those groups
    open_similar: list[OpenWithSimilar]
    open_total: int
    urgency_six: list[UrgencySixLink]
    undated: int  # rows without a readable Datum ontvangst
    total: int
    notes: list[str] = field(default_factory=list)


def _date(value) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    value = np.datetime64(value, "D")
    return None if np.isnat(value) else value.astype(dt.date)


def frame_of(result: CheckResult) -> pd.DataFrame:
    """One row per complaint with everything the review needs, typed."""
    reg = result.register
    dl = result.deadlines
    f = reg.frame
    received = reg.dates("received")
    amounts, _ = reg.amounts("compensation_amount")
    years = received.astype("datetime64[Y]").astype(np.int64) + 1970
    marks = classify(result)
    frame = pd.DataFrame({
        "number": f["complaint_no"].to_numpy(),
        "received": received,
        "acknowledged": reg.dates("acknowledged"),
        "decided": reg.dates("decided"),
        "ack_due": dl["acknowledge_due"].to_numpy(dtype="datetime64[D]"),
        "decision_due": dl["decision_due"].to_numpy(dtype="datetime64[D]"),
        "closed": marks["handled"].to_numpy(),
        "half": half_year_labels(received),
        "year": np.where(np.isnat(received), "", years.astype(str)).astype(object),
        "satisfied": f["satisfied"].to_numpy(),
        "amount": amounts,
        "anonymised": ~np.isnat(reg.dates("anonymised")),
        "extension_late": dl["extension_late"].to_numpy(dtype=bool),
    })
    for name in MASKS + ("handling_days",):
        frame[name] = marks[name].to_numpy()
    for key, _title in DIMENSIONS:
        frame[key] = typed_values(reg, key)
    for key in ("name", "email", "phone", "postcode", "address", "solution", "measure"):
        frame[key] = pd.Series(reg.text(key), dtype=object).replace(MARKER, "").to_numpy()
    return frame


def typed_values(reg, key: str) -> np.ndarray:
    """A column's values as the report shows them: the canonical value, or what was typed when
    it is not in the list (this report is private), BLANK only when the cell is empty."""
    values = pd.Series(reg.frame[key].to_numpy(), dtype=object)
    bad = reg.invalid.get(key)
    if bad is not None and bad.any() and key in reg.raw:
        typed = pd.Series(clean_text(reg.raw[key]), dtype=object)
        values = values.where(~bad, typed)
    return values.replace("", BLANK).to_numpy()


def period_columns(period: Period) -> list[Column]:
    """Half-year: the one before it and itself; a year: both halves and the year; several years:
    each year."""
    if period.kind == "halfjaar":
        before = period.previous()
        return [Column(p.label, p.in_words(), "half") for p in (before, period)]
    if period.kind == "jaar":
        return [Column(h, half_year(h).in_words(), "half") for h in period.half_years()] + \
               [Column(period.label, f"heel {period.label}", "year")]
    return [Column(str(y), str(y), "year") for y in period.years()]


def _select(frame: pd.DataFrame, column: Column) -> pd.DataFrame:
    return frame[frame[column.key] == column.label]


def figures(part: pd.DataFrame) -> Figures:
    """Key figures for the complaints in ``part`` (rows of frame_of), counted as register.figures
    defines them; handling time in working days, as on the site."""
    counts = tally(part)
    days = part["handling_days"].dropna().to_numpy(dtype=float)
    closed = part["closed"].to_numpy()
    satisfied = part["satisfied"].to_numpy()
    amounts = part["amount"].to_numpy()
    paid = ~np.isnan(amounts) & (amounts != 0)
    return Figures(
        received=len(part), closed=counts.handled,
        ack_on_time=counts.ack_on_time, ack_late=counts.ack_late, ack_pending=counts.ack_pending,
        decision_on_time=counts.on_time, decision_late=counts.late + counts.open_past_term,
        decision_pending=counts.running, decision_undated=counts.undated, withdrawn=counts.withdrawn,
        days_median=float(np.median(days)) if len(days) else None,
        days_mean=float(days.mean()) if len(days) else None,
        days_p90=float(np.percentile(days, 90)) if len(days) else None,
        satisfied_yes=int((satisfied == "ja").sum()), satisfied_no=int((satisfied == "nee").sum()),
        satisfied_unknown=int(((satisfied != "ja") & (satisfied != "nee") & closed).sum()),
        compensation_total=float(np.nansum(amounts)), compensation_count=int(paid.sum()),
        extension_late=int(part["extension_late"].sum()),
    )


def _urgency_label(value: str) -> str:
    return f"{value} – {URGENCY_LABELS[int(value)]}" if value.isdigit() else value


def breakdowns(frame: pd.DataFrame, columns: list[Column]) -> list[Breakdown]:
    """Counts per value of each dimension, for each column; values sorted by total, most first."""
    out = []
    labels = [c.label for c in columns]
    for key, title in DIMENSIONS:
        parts = []
        for kind in ("half", "year"):
            wanted = [c.label for c in columns if c.key == kind]
            if wanted:
                sub = frame[frame[kind].isin(wanted)]
                table = pd.crosstab(sub[key], sub[kind]).reindex(columns=wanted, fill_value=0)
                parts.append(table)
        table = pd.concat(parts, axis=1).fillna(0).astype(np.int64).reindex(columns=labels, fill_value=0)
        if key == "urgency":
            table = table.sort_index(key=lambda idx: idx.map(lambda v: int(v) if v.isdigit() else 99))
        else:
            table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
        rows = [(_urgency_label(v) if key == "urgency" else v, [int(n) for n in counts])
                for v, counts in zip(table.index, table.to_numpy(), strict=True)]
        out.append(Breakdown(title, [c.title for c in columns], rows))
    return out


def trends(frame: pd.DataFrame, until: dt.date) -> tuple[Trend, Trend, Trend, Breakdown]:
    """Received per half-year, decision on time and satisfaction per year, categories per year:
    from the first year in the register up to ``until`` (the period's end, or the peildatum when
    that is earlier; later complaints are not the period's), years and half-years without
    complaints included."""
    placed = frame[(frame["half"] != "") & (frame["received"] <= pd.Timestamp(until))]  # nothing after the period
    if placed.empty:
        empty = Trend([], [])
        return empty, empty, empty, Breakdown("Categorie per jaar", [], [])
    first, last = int(placed["year"].min()), max(int(placed["year"].max()), until.year)
    years = [str(y) for y in range(first, last + 1)]
    last_half = f"{until.year}-H{1 if until.month <= 6 else 2}"
    seen = set(placed["half"].unique())
    halves = [h for h in (f"{y}-H{n}" for y in years for n in (1, 2)) if h <= last_half or h in seen]
    per_half = placed["half"].value_counts().reindex(halves, fill_value=0)
    # Vectorised per-year rates: the same honest counting as figures(), grouped by year.
    on_time = placed["on_time"].to_numpy(dtype=bool)
    late = placed["late"].to_numpy(dtype=bool) | placed["open_past_term"].to_numpy(dtype=bool)
    sat = placed["satisfied"].to_numpy()
    grouped = pd.DataFrame({"year": placed["year"].to_numpy(), "on": on_time, "late": late,
                            "yes": sat == "ja", "no": sat == "nee"}).groupby("year").sum().reindex(years, fill_value=0)

    def pct(a: pd.Series, b: pd.Series) -> list[float | None]:
        whole = (a + b).to_numpy()
        return [None if w == 0 else float(100.0 * x / w) for x, w in zip(a.to_numpy(), whole, strict=True)]

    categories = pd.crosstab(placed["category"], placed["year"]).reindex(columns=years, fill_value=0)
    categories = categories.loc[categories.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    return (Trend(halves, [float(v) for v in per_half.to_numpy()]),
            Trend(years, pct(grouped["on"], grouped["late"])),
            Trend(years, pct(grouped["yes"], grouped["no"])),
            Breakdown("Categorie per jaar", years,
                      [(v, [int(n) for n in row]) for v, row in zip(categories.index, categories.to_numpy(),
                                                                     strict=True)]))


def measure_effects(frame: pd.DataFrame, period: Period, today: dt.date) -> list[MeasureEffect]:
    """Each measure (Maatregel) per category that was first taken in the period, or whose effect
    became measurable in it, with the complaints in that category in the MEASURE_WINDOW days
    before and after it."""
    named = frame[(frame["measure"] != "") & (frame["half"] != "")]
    if named.empty:
        return []
    when = named["decided"].fillna(named["received"])
    groups = (pd.DataFrame({"measure": named["measure"], "category": named["category"], "when": when})
              .groupby(["measure", "category"], sort=False)["when"].agg(["min", "size"]).reset_index())
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    ready = groups["min"] + pd.Timedelta(days=MEASURE_WINDOW)
    groups = groups[groups["min"].between(start, end) | ready.between(start, end)]
    if groups.empty:
        return []
    placed = frame[frame["half"] != ""]
    received_by_category = {cat: np.sort(part.to_numpy(dtype="datetime64[D]"))
                            for cat, part in placed.groupby("category")["received"]}
    window = np.timedelta64(MEASURE_WINDOW, "D")
    today64 = np.datetime64(today, "D")
    effects = []
    # One iteration per distinct (measure, category): a handful, not one per complaint.
    for measure, category, first, size in groups.itertuples(index=False):
        taken = np.datetime64(first, "D")
        dates = received_by_category.get(category, np.array([], dtype="datetime64[D]"))
        lo, mid, hi = np.searchsorted(dates, np.array([taken - window, taken, taken + window]))
        measurable = taken + window
        effects.append(MeasureEffect(str(measure), str(category), taken.astype(dt.date), int(size), int(mid - lo),
                                     int(hi - mid) if measurable <= today64 else None, measurable.astype(dt.date)))
    effects.sort(key=lambda e: (e.first, e.measure), reverse=True)
    return effects


def contact_keys(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Normalised e-mail, phone and postcode + house number per complaint ('' when unusable)."""
    email = frame["email"].astype(str).str.strip().str.lower()
    email = email.where(email.str.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}"), "")
    digits = frame["phone"].astype(str).str.replace(r"\D", "", regex=True)
    # The privacy guard's canonical form, applied once per distinct number.
    canonical = {d: canonical_phone(d, register=True) for d in digits.unique()}
    phone = digits.map(canonical)
    postcode = frame["postcode"].astype(str).str.upper().str.replace(r"\s", "", regex=True)
    number = frame["address"].astype(str).str.extract(r"(\d+)\s*-?\s*([A-Za-z]?)\s*$", expand=True)
    house = (number[0].fillna("") + number[1].fillna("").str.upper())
    address = (postcode + " " + house).where(postcode.str.fullmatch(r"\d{4}[A-Z]{2}") & (house != ""), "")
    return {"e-mail": email, "telefoon": phone, "postcode en huisnummer": address}


def complainant_groups(frame: pd.DataFrame) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A complainant id per complaint: complaints sharing an e-mail, phone or address, directly
    or through another complaint, get the same id (label propagation, a few vectorised passes).
    Also, per key, which complaints share that key with another complaint."""
    keys = contact_keys(frame)
    n = len(frame)
    group = np.arange(n)
    shared = {}
    for name, key in keys.items():
        filled = (key != "").to_numpy()
        shared[name] = filled & key.duplicated(keep=False).to_numpy()
    for _ in range(20):  # converges in a few passes: each pass merges through one more key link
        before = group.copy()
        for name, key in keys.items():
            rows = np.flatnonzero(shared[name])
            if len(rows):
                lowest = pd.Series(group[rows]).groupby(key.to_numpy()[rows]).transform("min").to_numpy()
                group[rows] = lowest
        # Propagate the new minimum to everyone already in a group.
        group = pd.Series(group).groupby(before).transform("min").to_numpy()
        group = group[group]  # follow one pointer: a row's id is its root's id
        if np.array_equal(group, before):
            break
    return group, shared


def _complaint(row) -> Complaint:
    """A frame row (a namedtuple from itertuples, or a Series) as a listed Complaint."""
    row = row._asdict() if hasattr(row, "_asdict") else row
    return Complaint(row["number"], _date(row["received"]), row["category"], row["cause"], row["urgency"],
                     row["name"], row["outcome"], _date(row["decided"]), row["solution"], row["measure"],
                     bool(row["anonymised"]))


def repeats(frame: pd.DataFrame, group: np.ndarray, shared: dict[str, np.ndarray], in_period: np.ndarray,
            until: np.ndarray | None = None) -> tuple[list[RepeatGroup], int, int]:
    """Complainants with more than one complaint, of whom at least one falls in the period; the
    MAX_LISTED with the most recent complaint are listed. ``until`` marks the complaints that
    may count (received by the period's end: a later complaint is not the period's)."""
    considered = np.ones(len(group), dtype=bool) if until is None else until
    sizes = np.bincount(group[considered], minlength=len(group))
    repeated = considered & (sizes[group] > 1)
    wanted_groups = np.unique(group[repeated & in_period])
    if len(wanted_groups) == 0:
        return [], 0, 0
    member = np.isin(group, wanted_groups) & considered
    latest = (pd.Series(frame["received"].to_numpy()[member]).groupby(group[member]).max()
              .sort_values(ascending=False, kind="stable"))
    listed = latest.index.to_numpy()[:MAX_LISTED]
    rows = np.flatnonzero(np.isin(group, listed) & considered)
    sub = frame.iloc[rows].assign(_group=group[rows], _rank=pd.Series(np.arange(len(listed)), index=listed)
                                  .reindex(group[rows]).to_numpy())
    for name, mask in shared.items():
        sub[name] = mask[rows]
    sub = sub.sort_values(["_rank", "received", "number"])
    out: list[RepeatGroup] = []
    current = None
    for record in sub.to_dict("records"):  # at most MAX_LISTED groups, a few complaints each
        if record["_group"] != current:
            current = record["_group"]
            out.append(RepeatGroup([], []))
        out[-1].complaints.append(_complaint(record))
        out[-1].matched_on = [n for n in shared if n in out[-1].matched_on or record[n]]  # declared order
    return out, len(wanted_groups), int(member.sum())


def similar_for_open(frame: pd.DataFrame, in_period: np.ndarray | None = None) -> tuple[list[OpenWithSimilar], int]:
    """For each open complaint received in the period (oldest first), the most recent closed
    complaints with the same category and cause, and how they were solved."""
    wanted = frame["open"].to_numpy(dtype=bool) & (True if in_period is None else in_period)
    open_rows = frame[wanted].sort_values(["received", "number"])
    total = len(open_rows)
    open_rows = open_rows.head(MAX_LISTED)
    closed = frame[frame["closed"] & frame["decided"].notna()]
    closed = closed[(closed["category"] != BLANK) & (closed["cause"] != BLANK)]
    recent = closed.sort_values("decided", ascending=False).groupby(["category", "cause"], sort=False).head(
        SIMILAR_PER_OPEN)
    by_key = {k: [_complaint(r) for r in part.itertuples(index=False)]
              for k, part in recent.groupby(["category", "cause"], sort=False)}
    return [OpenWithSimilar(_complaint(r), by_key.get((r.category, r.cause), []))
            for r in open_rows.itertuples(index=False)], total


def urgency_six_links(frame: pd.DataFrame, group: np.ndarray, in_period: np.ndarray) -> list[UrgencySixLink]:
    """Every urgency-6 complaint in the period ('eerdere storing niet goed verholpen') with the
    same complainant's previous complaint, if the register has one (at most MAX_LISTED)."""
    position = np.arange(len(frame))
    ordered = pd.DataFrame({"g": group, "r": frame["received"].to_numpy(), "n": frame["number"].to_numpy(),
                            "p": position}).sort_values(["g", "r", "n"])
    previous = ordered.groupby("g")["p"].shift(1)  # position of the same complainant's earlier complaint
    earlier = np.full(len(frame), -1, dtype=np.int64)
    earlier[ordered["p"].to_numpy()] = previous.fillna(-1).to_numpy(dtype=np.int64)
    six = np.flatnonzero((frame["urgency"] == "6").to_numpy() & in_period)[:MAX_LISTED]
    records = frame.iloc[six].to_dict("records")
    before = earlier[six]
    found = frame.iloc[before[before >= 0]].to_dict("records")
    links, k = [], 0
    for record, b in zip(records, before, strict=True):
        link = None
        if b >= 0:
            link, k = _complaint(found[k]), k + 1
        links.append(UrgencySixLink(_complaint(record), link))
    return links


def analyse(result: CheckResult, period: Period) -> Analysis:
    """The whole review for ``period`` as of result.peildatum."""
    frame = frame_of(result)
    columns = period_columns(period)
    received = frame["received"].to_numpy(dtype="datetime64[D]")
    in_period = (received >= np.datetime64(period.start, "D")) & (received <= np.datetime64(period.end, "D"))
    group, shared = complainant_groups(frame)
    per_half, on_time, satisfaction, categories = trends(frame, min(period.end, result.peildatum))
    repeat_groups, repeat_total, repeat_complaints = repeats(frame, group, shared, in_period,
                                                            received <= np.datetime64(period.end, "D"))
    open_similar, open_total = similar_for_open(frame, in_period)
    notes = []
    if not in_period.any():
        notes.append(f"In {period.in_words()} zijn geen klachten ontvangen.")
    if period.end >= result.peildatum:
        notes.append(f"De periode is nog niet voorbij: de cijfers gaan tot en met "
                     f"{format_date_nl(result.peildatum)}.")
    return Analysis(
        period=period, peildatum=result.peildatum, columns=columns,
        figures=[figures(_select(frame, c)) for c in columns],
        breakdowns=breakdowns(frame, columns),
        received_per_half=per_half, on_time_per_year=on_time, satisfaction_per_year=satisfaction,
        categories_per_year=categories,
        measures=measure_effects(frame, period, result.peildatum),
        measures_recorded=bool((frame["measure"] != "").any()),
        repeat_groups=repeat_groups, repeat_total=repeat_total, repeat_complaints=repeat_complaints,
        open_similar=open_similar, open_total=open_total,
        urgency_six=urgency_six_links(frame, group, in_period),
        undated=int(np.isnat(received).sum()), total=len(frame), notes=notes,
    )
