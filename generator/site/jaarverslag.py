"""The annual report: aggregates per year, never a single complaint's personal data.

All figures are computed with pandas group-bys over the whole register. Every count goes into
one :class:`Figures` set with the sums and orderings a reader knows between them; counts below
[site] minimum_aantal show as 'minder dan N' and complementary suppression makes sure that no
arithmetic on the rest brings them back (disclosure.py). Charts are CSS bars inside the tables
themselves (templates/site/_tabel.md), so picture and numbers are one element.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from generator.site.disclosure import DROPPED, SHOWN, SMALL, Figures, Group, protect
from generator.templating import datum_nl
from register.boundary import PUBLISHED_TEXT_KEYS
from register.check import CheckResult
from register.config import Config
from register.figures import WITHDRAWN, tally
from register.files import write_atomic
from register.plural import count
from register.schema import CHANNELS, MARKER, OUTCOMES, URGENCIES, URGENCY_LABELS

UNCLASSIFIED = "niet ingedeeld"
HALVES = (("januari t/m juni", (1, 6)), ("juli t/m december", (7, 12)))
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")


@dataclass
class Breakdown:
    """One published table: rows (label, cell name) that add up to the ``total`` cell."""

    key: str
    title: str
    total: str
    rows: list[tuple[str, str]]


@dataclass
class Publication:
    """Every published count of the whole site with its disclosure status (see disclosure.py)."""

    figures: Figures
    status: dict[str, str]
    minimum: int

    def value(self, name: str) -> int:
        return self.figures.values[name]

    def visible(self, name: str) -> bool:
        return self.status[name] != DROPPED

    def exact(self, name: str) -> bool:
        return self.status[name] == SHOWN

    def show(self, name: str) -> str:
        """The count as the site prints it."""
        state = self.status[name]
        if state == SHOWN:
            return getal(self.value(name))
        if state == SMALL:
            return f"minder dan {self.minimum}"
        return "niet getoond"

    def rows(self, b: Breakdown) -> list[tuple[str, str]]:
        return [(label, name) for label, name in b.rows if self.visible(name)]

    def largest(self, b: Breakdown) -> int:
        return max((self.value(n) for _, n in self.rows(b) if self.exact(n)), default=0)

    def bar(self, name: str, largest: int) -> int:
        """Bar length in steps of 5% of the largest exact count (a CSS class staaf-N)."""
        return max(5, math.ceil(self.value(name) * 20 / largest) * 5) if self.value(name) else 0

    def rate_text(self, part: str, whole: str, words: str) -> str:
        """'80% (16 van de 20 klachten die …)': the denominator always in words."""
        if not self.exact(whole) or self.value(whole) < self.minimum:
            return f"geen percentage: te weinig klachten ({self.show(whole)} {words})"
        pct = self.rate(part, whole)
        counted = f"{self.show(part)} van de {self.show(whole)} {words}"
        return f"{pct} ({counted})" if pct else counted

    def withheld(self, b: Breakdown) -> bool:
        return bool(b.rows) and not self.rows(b)

    def rate(self, part: str, whole: str) -> str | None:
        """'80%' when both counts are exact and the whole reaches the minimum, else None."""
        if not (self.exact(part) and self.exact(whole)) or self.value(whole) < max(self.minimum, 1):
            return None
        return percent(self.value(part), self.value(whole))


@dataclass
class YearReport:
    year: int
    partial: bool  # the running year
    through: dt.date
    started: dt.date | None  # first year of the register, begun after 1 January
    cell: dict[str, str]  # role -> cell name: n, closed, ack_n, ack_ok, ...
    breakdowns: list[Breakdown]
    outcomes: Breakdown
    halves: list[tuple[str, str, str]]  # (label, received cell, closed cell)
    escalations: Breakdown
    compare: tuple[str, str] | None  # (cell of the previous period, how that period is called)
    median_days: float | None
    p90_days: float | None
    measures: list[str]
    analysis: str = ""

    def c(self, role: str) -> str:
        return self.cell[role]


@dataclass
class Reports:
    years: list[YearReport]
    pub: Publication
    notes: list[str]  # warnings for the owner (never published)

    def __iter__(self):
        return iter(self.years)

    def __len__(self) -> int:
        return len(self.years)

    def __reversed__(self):
        return reversed(self.years)

    def change(self, r: YearReport) -> str:
        """The difference with the previous period in words, or why there is none."""
        if r.started is not None:
            return f"geen vergelijking: het register begon in {MONTHS[r.started.month - 1]} {r.year}"
        if r.compare is None:
            return "geen vergelijking: het jaar ervoor is niet compleet in het register"
        prev, period = r.compare
        pub = self.pub
        if not (pub.exact(prev) and pub.exact(r.c("n"))) or pub.value(prev) < pub.minimum:
            return f"geen vergelijking: te weinig klachten in {period}"
        now, before = pub.value(r.c("n")), pub.value(prev)
        diff = now - before
        rel = f" ({diff / before:+.0%})" if before else ""
        return f"{diff:+d}{rel} ten opzichte van {period} ({count(before, 'klacht', 'klachten')})"


def getal(n: int | float) -> str:
    """Dutch number formatting: 12.345 and 2,5."""
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(n):,}".replace(",", ".")


def escalation_kind(text: str) -> str:
    """Geëscaleerd naar is free text: publish only its kind, never the text itself."""
    lowered = text.lower()
    if "geschil" in lowered or "commissie" in lowered or "kifid" in lowered:
        return "geschilleninstantie"
    if "recht" in lowered or "kanton" in lowered:
        return "rechter"
    return "anders"


def complaint_table(result: CheckResult) -> pd.DataFrame:
    """The columns the report uses, one row per complaint with a receipt date; the figures'
    masks come from register.figures, shared with the daily mail and the analysis."""
    from register.figures import classify

    reg = result.register
    received = reg.dates("received")
    df = pd.DataFrame({
        "received": received, "decided": reg.dates("decided"),
        "extension_sent": reg.dates("extension_sent"),
        "extension_valid": result.deadlines["extension_valid"].to_numpy(),
        "category": reg.frame["category"].to_numpy(), "cause": reg.frame["cause"].to_numpy(),
        "channel": reg.frame["channel"].to_numpy(), "urgency": reg.frame["urgency"].to_numpy(),
        "outcome": reg.frame["outcome"].to_numpy(), "status": reg.frame["status"].to_numpy(),
        "escalated_to": reg.frame["escalated_to"].to_numpy(),
        # the register text the site publishes as written: one declaration (register/boundary.py)
        **{key: reg.text(key) for key in PUBLISHED_TEXT_KEYS},
    })
    df = pd.concat([df, classify(result)], axis=1)
    df = df[~np.isnat(received)].copy()
    df["year"] = df["received"].dt.year
    df["closed"] = df["handled"]
    return df


def _breakdown(fig: Figures, df: pd.DataFrame, prefix: str, key: str, title: str, total: str,
               allowed: list[str], labels: dict[str, str] | None = None,
               ordered: bool = True) -> Breakdown:
    """Counts per allowed value; empty and invalid cells (the parser blanks values outside
    the list) together as 'niet ingedeeld', so no raw cell text is ever published."""
    values = df[key].where(df[key].isin(allowed), "")
    counts = values[values != ""].value_counts()
    if ordered:
        counts = counts.reindex([o for o in allowed if o in counts.index])
    else:
        counts = counts.sort_values(ascending=False, kind="stable")
    rows = [((labels or {}).get(str(k), str(k)), fig.add(f"{prefix}.{key}.{k}", v)) for k, v in counts.items()]
    other = int((values == "").sum())
    if other:
        rows.append((UNCLASSIFIED, fig.add(f"{prefix}.{key}.{UNCLASSIFIED}", other)))
    fig.groups.append(Group(total, tuple(name for _, name in rows)))
    return Breakdown(key, title, total, rows)


def build_reports(result: CheckResult, config: Config) -> Reports:
    """One report per year from the first receipt year to the peildatum's year (to date),
    with every count protected by :func:`generator.site.disclosure.protect`."""
    df = complaint_table(result)
    today = result.peildatum
    fig = Figures()
    minimum = config.site.minimum_aantal
    notes = _notes(result)
    if df.empty:
        return Reports([], Publication(fig, {}, minimum), notes)
    first_day = df["received"].min().date()
    first = first_day.year
    # The register's start is not recorded: a first year whose first complaint came after
    # January is treated as begun mid-year (labelled, and never compared with).
    first_partial = first_day.month > 1
    reports: list[YearReport] = []
    urgency_labels = {str(n): f"{n}. {label}" for n, label in URGENCY_LABELS.items()}
    analyses = config.analyses_dir()
    for year in range(first, today.year + 1):
        part = df[df["year"] == year]
        y = str(year)
        partial = year == today.year
        cell = {"n": fig.add(f"{y}.n", len(part))}
        closed = part[part["closed"]]
        counts = tally(part)
        cell["closed"] = fig.add(f"{y}.closed", counts.handled)
        fig.orders.append((cell["closed"], cell["n"]))
        # Acknowledged in time, over every complaint that is acknowledged or should have been.
        cell["ack_n"] = fig.add(f"{y}.ack.n", counts.ack_measured)
        cell["ack_ok"] = fig.add(f"{y}.ack.ok", counts.ack_on_time)
        cell["ack_late"] = fig.add(f"{y}.ack.late", counts.ack_late)
        fig.groups.append(Group(cell["ack_n"], (cell["ack_ok"], cell["ack_late"])))
        fig.orders.append((cell["ack_n"], cell["n"]))
        # Decided in time, over every complaint that is handled (not withdrawn) or past its term.
        cell["dec_n"] = fig.add(f"{y}.dec.n", counts.decision_measured)
        cell["dec_ok"] = fig.add(f"{y}.dec.ok", counts.on_time)
        cell["dec_closed_late"] = fig.add(f"{y}.dec.closed_late", counts.late)
        cell["dec_open_late"] = fig.add(f"{y}.dec.open_late", counts.open_past_term)
        # The same cell as the Uitkomst table's 'ingetrokken' row: one count, one disclosure status.
        cell["withdrawn"] = fig.add(f"{y}.outcome.{WITHDRAWN}", counts.withdrawn)
        fig.exact |= {cell["ack_late"], cell["dec_closed_late"], cell["dec_open_late"]}
        fig.groups.append(Group(cell["dec_n"], (cell["dec_ok"], cell["dec_closed_late"], cell["dec_open_late"])))
        fig.groups.append(Group(cell["closed"], (cell["dec_ok"], cell["dec_closed_late"], cell["withdrawn"])))
        fig.orders.append((cell["dec_n"], cell["n"]))
        extended = part["extension_sent"].notna()
        cell["ext"] = fig.add(f"{y}.ext", int(extended.sum()))
        cell["ext_ok"] = fig.add(f"{y}.ext.ok", int((extended & part["extension_valid"]).sum()))
        fig.orders += [(cell["ext_ok"], cell["ext"]), (cell["ext"], cell["n"])]
        cell["esc"] = fig.add(f"{y}.esc", int((part["escalated_to"] != "").sum()))
        fig.orders.append((cell["esc"], cell["n"]))
        kinds = part.loc[part["escalated_to"] != "", "escalated_to"].map(escalation_kind).value_counts()
        esc_rows = [(str(k), fig.add(f"{y}.esc.{k}", v)) for k, v in kinds.items()]
        fig.groups.append(Group(cell["esc"], tuple(n for _, n in esc_rows)))
        halves = []
        for label, months in HALVES:
            if partial and months[0] > today.month:
                continue
            m = part["received"].dt.month.between(*months)
            received = fig.add(f"{y}.{months[0]}.r", int(m.sum()))
            done = fig.add(f"{y}.{months[0]}.c", int((m & part["closed"]).sum()))
            fig.orders.append((done, received))
            halves.append((label, received, done))
        fig.groups.append(Group(cell["n"], tuple(h[1] for h in halves), table=f"{y}.halves"))
        fig.groups.append(Group(cell["closed"], tuple(h[2] for h in halves), table=f"{y}.halves"))
        compare = None
        if year > first + 1 or (year == first + 1 and not first_partial):
            if partial:
                same = today.replace(year=year - 1) if (today.month, today.day) != (2, 29) else today.replace(
                    year=year - 1, day=28)
                before = int(((df["year"] == year - 1) & (df["received"] <= pd.Timestamp(same))).sum())
                prev = fig.add(f"{y}.prev_same", before)
                # What a reader can bound it by: last year's total and first half.
                fig.orders.append((prev, f"{year - 1}.n"))
                if same >= dt.date(year - 1, 7, 1):
                    fig.orders.append((f"{year - 1}.1.r", prev))
                else:
                    fig.orders.append((prev, f"{year - 1}.1.r"))
                compare = (prev, f"dezelfde periode vorig jaar, 1 januari t/m {datum_nl(same)}")
            else:
                compare = (f"{year - 1}.n", str(year - 1))
        days = closed["handling_days"].dropna()
        analysis_file = analyses / f"{year}.md"
        reports.append(YearReport(
            year=year, partial=partial, through=today if partial else dt.date(year, 12, 31),
            started=first_day if year == first and first_partial else None,
            cell=cell,
            breakdowns=[
                _breakdown(fig, part, y, "category", "Onderwerp (categorie)", cell["n"],
                           list(config.lijsten.categorieen), ordered=False),
                _breakdown(fig, part, y, "cause", "Oorzaak", cell["n"], list(config.lijsten.oorzaken)),
                _breakdown(fig, part, y, "channel", "Kanaal", cell["n"], list(CHANNELS)),
                _breakdown(fig, part, y, "urgency", "Urgentie", cell["n"], list(URGENCIES),
                           labels=urgency_labels),
            ],
            outcomes=_breakdown(fig, closed, y, "outcome", "Uitkomst", cell["closed"], list(OUTCOMES)),
            halves=halves,
            escalations=Breakdown("escalation", "Escalaties", cell["esc"], esc_rows),
            compare=compare,
            median_days=float(np.median(days)) if len(days) >= minimum else None,
            p90_days=float(np.percentile(days, 90)) if len(days) >= max(minimum, P90_MINIMUM) else None,
            measures=sorted({m for key in PUBLISHED_TEXT_KEYS for m in part[key] if m and m != MARKER}),
            analysis=analysis_file.read_text(encoding="utf-8") if analysis_file.is_file() else "",
        ))
    return Reports(reports, Publication(fig, _protect_cached(fig, minimum, config.cache_dir()), minimum), notes)


PROTECT_VERSION = 2  # raise when protect() may answer differently: old cached answers then miss


def _protect_cached(fig: Figures, minimum: int, cache: Path) -> dict[str, str]:
    """protect() is a few hundred small linear programs; its answer depends only on the counts,
    so a rebuild with unchanged figures reads it back (the file holds counts' names, no data)."""
    import hashlib
    import json

    key = hashlib.sha256(repr((PROTECT_VERSION, sorted(fig.values.items()), fig.groups, fig.orders,
                               sorted(fig.exact), minimum)).encode()).hexdigest()
    path = cache / f"onthulling-{key[:24]}.json"
    if path.is_file():
        try:
            cached: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
            return cached
        except (OSError, ValueError):  # unreadable: computed again and rewritten
            pass
    status = protect(fig, minimum)
    write_atomic(path, json.dumps(status).encode("utf-8"))
    return status


P90_MINIMUM = 10  # a 90th percentile over fewer complaints is close to the single slowest one


def _notes(result: CheckResult) -> list[str]:
    """Warnings for the owner: cells whose value is not in the allowed list."""
    from register.schema import COLUMNS

    headers = {c.key: c.header for c in COLUMNS}
    notes = []
    for key in ("category", "cause", "channel", "urgency", "outcome"):
        bad = result.register.invalid.get(key)
        n = int(np.count_nonzero(bad)) if bad is not None else 0
        if n:
            notes.append(f"{count(n, 'klacht', 'klachten')} met een waarde in de kolom {headers[key]} die niet in "
                         f"de lijst staat; het jaarverslag telt ze als '{UNCLASSIFIED}' (zie klachten controleer)")
    return notes


def percent(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{part / whole:.0%}"


