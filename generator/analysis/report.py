"""The review as HTML and PDF in the private folder ([nachtrun] map)/analyse/.

The report names complainants and quotes their complaints, so it is private: it is written
only under the private folder, never inside the site's source or output folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.analysis.charts import bar_chart
from generator.analysis.compute import Analysis, analyse
from generator.resources import site_sources
from generator.templating import render
from register.check import CheckResult
from register.config import Config
from register.errors import ConfigError, resolved
from register.periods import Period
from register.plural import count
from register.reviews import Review, load_reviews
from register.schema import URGENCY_LABELS


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    pdf: Path
    pages: int


def analysis_dir(config: Config) -> Path:
    """Where reports go; refused when that would be inside the site's source or output folder."""
    folder = resolved(config.private_dir() / "analyse")
    for public in (resolved(config.site_dir()), resolved(site_sources()), resolved(config.root / "site")):
        if folder == public or folder.is_relative_to(public):
            raise ConfigError(f"de analyse bevat persoonsgegevens en mag niet in {public} komen; "
                              f"kies voor [nachtrun] map een map buiten de website")
    return folder


def pct(value: float | None) -> str:
    """'87%'; '–' when there is nothing to count."""
    return "–" if value is None else f"{value:.0f}%"


def euro(value: float) -> str:
    """'€ 1.250,00'."""
    text = f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}"


def days(value: float | None) -> str:
    """Working days, the unit of the site's annual report: '1 werkdag', '4,5 werkdagen'."""
    if value is None:
        return "–"
    value = round(float(value), 1)
    return count(int(value), "werkdag", "werkdagen") if value.is_integer() else f"{value:.1f} werkdagen".replace(".", ",")


def earlier_measures(result: CheckResult, analysis: Analysis, reviews: list[Review]) -> list[dict]:
    """The measures recorded with reviews of earlier periods, newest last, each with its effect:
    the key figures of the reviewed period next to those of this report's period."""

    from generator.analysis.compute import Column, _select, figures, frame_of

    latest: dict[str, Review] = {}
    for review in reviews:  # a period recorded again: its last entry counts
        if review.measures and review.period.end < analysis.period.start and review.period.kind != "jaren":
            latest[review.period.label] = review
    if not latest:
        return []
    frame = frame_of(result)
    now = analysis.figures[-1]
    rows = []
    for review in sorted(latest.values(), key=lambda r: r.period.start):
        column = Column(review.period.label, review.period.in_words(),
                        "half" if review.period.kind == "halfjaar" else "year")
        rows.append({"review": review, "voor": figures(_select(frame, column)), "na": now})
    return rows


def html_report(analysis: Analysis, config: Config, reviews: list[Review], earlier: list[dict] | None = None) -> str:
    """The report as one self-contained HTML page (inline CSS and SVG)."""
    charts = [
        bar_chart("Ontvangen klachten per halfjaar", analysis.received_per_half),
        bar_chart("Standpunt op tijd per jaar", analysis.on_time_per_year, percent=True),
        bar_chart("Tevreden klagers per jaar (van wie ja of nee antwoordde)", analysis.satisfaction_per_year,
                  percent=True),
    ]
    category_max = max((n for _, counts in analysis.categories_per_year.rows for n in counts), default=0)
    covering = [r for r in reviews if r.period.start <= analysis.period.start and analysis.period.end <= r.period.end]
    return render(config, "analyse/rapport.html", a=analysis, org=config.organisatie.naam, charts=charts,
                  category_max=category_max or 1, vastgelegd=covering, eerder=earlier or [], pct=pct, euro=euro,
                  dagen=days,
                  aantal=count, urgentie=URGENCY_LABELS)


def write_report(result: CheckResult, config: Config, period: Period) -> ReportFiles:
    """Compute the review for ``period`` and write klachtenanalyse-<periode>.html and .pdf."""
    from weasyprint import HTML

    folder = analysis_dir(config)
    analysis = analyse(result, period)
    reviews = load_reviews(config)
    page = html_report(analysis, config, reviews, earlier_measures(result, analysis, reviews))
    from register.store import PrivateStore

    store = PrivateStore(config)
    numbers = [str(n) for n in result.register.frame["complaint_no"].to_numpy() if n]
    html_path = folder / f"klachtenanalyse-{period.label}.html"
    # The report names complainants who complain more often: the manifest lists the complaints
    # whose numbers it shows.
    from register.store import NumberFinder

    held = NumberFinder(numbers).in_text(page)
    store.write_text(html_path, page, held)
    pdf_path = html_path.with_suffix(".pdf")
    # Rendered once: the page numbers are in the report's own CSS (letters add them only when needed).
    document = HTML(string=page, base_url=str(folder)).render()
    store.write(pdf_path, document.write_pdf(), held)
    return ReportFiles(html_path, pdf_path, len(document.pages))

