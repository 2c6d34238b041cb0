"""The half-year review as a duty: which reviews the owner has recorded, kept in the private folder.

`klachten analyse --vastleggen` appends one entry (period, date, the measures decided); the
signal ``halfjaaranalyse_nodig`` asks for every ended half-year with complaints until a review
covering it has been recorded after that half-year ended. The next report shows the measures
with their effect.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .errors import ConfigError
from .periods import Period, parse_period


@dataclass(frozen=True)
class Review:
    """One recorded review: its period, the day it was recorded and the measures decided."""

    period: Period
    recorded: dt.date
    measures: str = ""

    def covers(self, half_year: Period) -> bool:
        """True when this review includes ``half_year`` and was recorded after it ended."""
        return (self.period.start <= half_year.start and half_year.end <= self.period.end
                and self.recorded > half_year.end)


def reviews_file(config: Config) -> Path:
    return config.private_dir() / "analyse" / "vastgelegd.json"


def load_reviews(config: Config) -> list[Review]:
    """The recorded reviews, oldest first; none when the file does not exist yet."""
    path = reviews_file(config)
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        return [Review(parse_period(e["periode"]), dt.date.fromisoformat(e["vastgelegd"]),
                       str(e.get("maatregelen", ""))) for e in entries]
    except (ValueError, KeyError, TypeError, ConfigError) as exc:
        raise ConfigError(f"{path}: onleesbaar ({exc}); herstel of verwijder het bestand") from None


def record_review(config: Config, period: Period, day: dt.date, measures: str = "") -> Review:
    """Add a review to the file (atomically); recording the same period again adds a new date."""
    reviews = load_reviews(config)
    review = Review(period, day, " ".join(measures.split()))
    reviews.append(review)
    from .store import PrivateStore

    # Periods, dates and the organisation's measures: no complaint's data.
    PrivateStore(config).write_text(reviews_file(config), json.dumps(
        [{"periode": r.period.label, "vastgelegd": r.recorded.isoformat()}
         | ({"maatregelen": r.measures} if r.measures else {}) for r in reviews],
        indent=1, ensure_ascii=False) + "\n", [])
    return review
