"""The annual report: aggregates per year, never a single complaint's personal data.

All figures are computed with pandas group-bys over the whole register. Small counts can be
shown as 'minder dan N' ([site] minimum_aantal) in tables and charts alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from register.check import CheckResult
from register.config import Config
from register.schema import CHANNELS, CLOSED, MARKER, OUTCOMES, URGENCIES, URGENCY_LABELS


@dataclass
class Breakdown:
    """Counts per value of one column, largest first, for a table and a chart."""

    key: str
    title: str
    rows: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.rows)


@dataclass
class YearReport:
    year: int
    partial: bool
    through: dt.date
    count: int
    previous: int | None
    breakdowns: list[Breakdown]
    acknowledged_in_time: tuple[int, int]  # (in time, measured)
    decided_in_time: tuple[int, int]
    median_days: float | None
    p90_days: float | None
    outcomes: Breakdown
    extensions: int
    extensions_valid: int
    escalations: list[tuple[str, int]]
    halves: list[tuple[str, int, int]]  # (label, received, closed)
    measures: list[str]
    analysis: str = ""
    charts: dict[str, str] = field(default_factory=dict)  # breakdown key -> file name

    @property
    def change(self) -> str:
        if self.previous is None:
            return "geen vergelijking (eerste jaar in het register)"
        diff = self.count - self.previous
        if self.previous == 0:
            return f"{diff:+d} ten opzichte van {self.year - 1}"
        return f"{diff:+d} ({diff / self.previous:+.0%}) ten opzichte van {self.year - 1}".replace(".", ",")


def escalation_kind(text: str) -> str:
    """Geëscaleerd naar is free text: publish only its kind, never the text itself."""
    lowered = text.lower()
    if "geschil" in lowered or "commissie" in lowered or "kifid" in lowered:
        return "geschilleninstantie"
    if "recht" in lowered or "kanton" in lowered:
        return "rechter"
    return "anders"


def complaint_table(result: CheckResult) -> pd.DataFrame:
    """The columns the report uses, one row per complaint with a receipt date."""
    reg, d = result.register, result.deadlines
    received = reg.dates("received")
    decided = reg.dates("decided")
    df = pd.DataFrame({
        "received": received, "acknowledged": reg.dates("acknowledged"), "decided": decided,
        "ack_due": d["acknowledge_due"].to_numpy(dtype="datetime64[D]"),
        "decision_due": d["decision_due"].to_numpy(dtype="datetime64[D]"),
        "extension_sent": reg.dates("extension_sent"), "extension_valid": d["extension_valid"].to_numpy(),
        "category": reg.frame["category"].to_numpy(), "cause": reg.frame["cause"].to_numpy(),
        "channel": reg.frame["channel"].to_numpy(), "urgency": reg.frame["urgency"].to_numpy(),
        "outcome": reg.frame["outcome"].to_numpy(), "status": reg.frame["status"].to_numpy(),
        "escalated_to": reg.frame["escalated_to"].to_numpy(), "measure": reg.text("measure"),
    })
    df = df[~np.isnat(received)].copy()
    df["year"] = df["received"].dt.year
    closed = (df["status"] == CLOSED) & df["decided"].notna()
    working = np.full(len(df), np.nan)
    ok = closed.to_numpy()
    working[ok] = result.calendar.working_days_between(df["received"].to_numpy(dtype="datetime64[D]")[ok],
                                                       df["decided"].to_numpy(dtype="datetime64[D]")[ok])
    df["closed"] = closed
    df["handling_days"] = working
    return df


def _breakdown(df: pd.DataFrame, key: str, title: str, order: list[str] | None = None,
               labels: dict[str, str] | None = None) -> Breakdown:
    counts = df.loc[df[key] != "", key].value_counts()
    if order:
        counts = counts.reindex([o for o in order if o in counts.index])
    else:
        counts = counts.sort_values(ascending=False, kind="stable")
    rows = [((labels or {}).get(str(k), str(k)), int(v)) for k, v in counts.items()]
    unknown = int((df[key] == "").sum())
    if unknown:
        rows.append(("onbekend", unknown))
    return Breakdown(key, title, rows)


def build_reports(result: CheckResult, config: Config) -> list[YearReport]:
    """One report per year from the first receipt year to the peildatum's year (to date)."""
    df = complaint_table(result)
    today = result.peildatum
    if df.empty:
        return []
    first = int(df["year"].min())
    counts = df.groupby("year").size()
    reports = []
    urgency_labels = {str(n): f"{n}. {label}" for n, label in URGENCY_LABELS.items()}
    analyses = config.analyses_dir()
    for year in range(first, today.year + 1):
        part = df[df["year"] == year]
        partial = year == today.year
        through = today if partial else dt.date(year, 12, 31)
        measured_ack = part[part["acknowledged"].notna() | (part["ack_due"] < pd.Timestamp(today))]
        ack_ok = int((measured_ack["acknowledged"].notna() & (measured_ack["acknowledged"] <= measured_ack["ack_due"])).sum())
        closed = part[part["closed"]]
        dec_ok = int((closed["decided"] <= closed["decision_due"]).sum())
        days = closed["handling_days"].dropna()
        escalated = part.loc[part["escalated_to"] != "", "escalated_to"].map(escalation_kind).value_counts()
        halves = []
        for label, months in (("januari t/m juni", (1, 6)), ("juli t/m december", (7, 12))):
            m = part["received"].dt.month.between(*months)
            if partial and months[0] > today.month:
                continue
            halves.append((label, int(m.sum()), int((m & part["closed"]).sum())))
        measures = sorted({m for m in part["measure"] if m and m != MARKER})
        analysis_file = analyses / f"{year}.md"
        reports.append(YearReport(
            year=year, partial=partial, through=through, count=len(part),
            previous=int(counts.get(year - 1, 0)) if year > first else None,
            breakdowns=[
                _breakdown(part, "category", "Onderwerp (categorie)"),
                _breakdown(part, "cause", "Oorzaak", order=list(config.lijsten.oorzaken)),
                _breakdown(part, "channel", "Kanaal", order=list(CHANNELS)),
                _breakdown(part, "urgency", "Urgentie (NVKL-indeling)", order=list(URGENCIES),
                           labels=urgency_labels),
            ],
            acknowledged_in_time=(ack_ok, len(measured_ack)),
            decided_in_time=(dec_ok, len(closed)),
            median_days=float(np.median(days)) if len(days) else None,
            p90_days=float(np.percentile(days, 90)) if len(days) else None,
            outcomes=_breakdown(closed, "outcome", "Uitkomst", order=list(OUTCOMES)),
            extensions=int(part["extension_sent"].notna().sum()),
            extensions_valid=int((part["extension_sent"].notna() & part["extension_valid"]).sum()),
            escalations=[(str(k), int(v)) for k, v in escalated.items()],
            halves=halves, measures=measures,
            analysis=analysis_file.read_text(encoding="utf-8") if analysis_file.is_file() else "",
        ))
    return reports


def shown(n: int, minimum: int) -> str:
    """A count as published: 'minder dan 3' for 1..minimum-1."""
    return f"minder dan {minimum}" if 0 < n < minimum else str(n)


def percent(part: int, whole: int) -> str:
    return "—" if whole == 0 else f"{part / whole:.0%}"


# -- charts ---------------------------------------------------------------------------------
def chart_svg(breakdown: Breakdown, minimum: int, cache: Path | None = None) -> str:
    """A horizontal bar chart as SVG text. Small counts are drawn hatched at the threshold and
    labelled '< N', so the chart reveals no more than the table beside it."""
    rows = breakdown.rows
    key = hashlib.sha256(repr((breakdown.title, rows, minimum)).encode()).hexdigest()[:20]
    if cache is not None and (cache / f"{key}.svg").is_file():
        return (cache / f"{key}.svg").read_text(encoding="utf-8")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "klachten", "font.size": 9,
                         "font.family": "DejaVu Sans"})
    labels = [label for label, _ in rows][::-1]
    values = [n for _, n in rows][::-1]
    small = [0 < n < minimum for n in values]
    drawn = [minimum if s else n for n, s in zip(values, small, strict=True)]
    fig, ax = plt.subplots(figsize=(5.2, 0.35 * max(len(rows), 2) + 0.7))
    bars = ax.barh(labels, drawn, color=["#9fb7cf" if s else "#0b3d6b" for s in small])
    for bar, s in zip(bars, small, strict=True):
        if s:
            bar.set_hatch("//")
    for y, (n, s) in enumerate(zip(values, small, strict=True)):
        ax.text(drawn[y], y, f" < {minimum}" if s else f" {n}", va="center")
    ax.set_xlim(0, max(drawn + [1]) * 1.18)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlabel("aantal klachten")
    fig.tight_layout()
    import io

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / f"{key}.svg").write_text(svg, encoding="utf-8")
    return svg


def _chart_job(args: tuple[Breakdown, int, Path | None]) -> str:
    return chart_svg(*args)


def charts_svg(breakdowns: list[Breakdown], minimum: int, cache: Path | None = None,
               workers: int | None = None) -> list[str]:
    """Many charts at once; charts not in the cache are drawn over all cores (matplotlib is
    the slow part of a first build)."""
    import os
    import threading

    jobs = [(b, minimum, cache) for b in breakdowns]
    workers = workers or os.cpu_count() or 1
    # Forking a threaded process (mkdocs serve) is unsafe: draw in this process then.
    if workers == 1 or len(jobs) < 8 or threading.active_count() > 1 or os.name != "posix":
        return [chart_svg(*job) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_chart_job, jobs, chunksize=4))
