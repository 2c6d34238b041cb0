"""One call that reads, validates and flags a register: what `controleer` and the nightly run use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .calendar import WorkCalendar
from .config import Config
from .deadlines import compute_deadlines, compute_flags, compute_reminders, flag_inputs
from .model import Register, build_register
from .reviews import Review
from .sources import Grid, read_grid
from .validate import Finding, has_errors, validate


@dataclass
class CheckResult:
    """Everything known about a register as of ``peildatum``."""

    register: Register
    deadlines: pd.DataFrame
    flags: pd.DataFrame
    findings: list[Finding]
    calendar: WorkCalendar
    peildatum: dt.date
    reminders: pd.DataFrame | None = None  # register-level signals (signaal, periode, uiterlijk)

    @property
    def has_errors(self) -> bool:
        return has_errors(self.findings)

    def to_json(self) -> dict[str, Any]:
        """The `controleer --json` contract: {"fouten": [...], "signalen": [...], "herinneringen": [...]}.

        "signalen" holds only signals on a complaint (as always); register-level reminders such as
        the half-year review are in "herinneringen", so older scripts keep working. The CLI adds
        "onbekende_bestanden" (private files the manifest does not know), which is not about the register."""
        flags = self.flags
        reminders = self.reminders if self.reminders is not None else pd.DataFrame(
            columns=["signaal", "periode", "uiterlijk"])
        return {
            "fouten": [f.to_json() for f in self.findings],
            "signalen": [
                {"klachtnummer": k, "signaal": s, "uiterlijk": str(u)[:10]}
                for k, s, u in zip(flags["klachtnummer"], flags["signaal"],
                                   flags["uiterlijk"].to_numpy(dtype="datetime64[D]"), strict=True)
            ],
            "herinneringen": [
                {"signaal": s, "periode": p, "uiterlijk": str(u)[:10]}
                for s, p, u in zip(reminders["signaal"], reminders["periode"],
                                   reminders["uiterlijk"].to_numpy(dtype="datetime64[D]"), strict=True)
            ],
        }


def check_grid(grid: Grid, config: Config, peildatum: dt.date,
               reviews: list[Review] | None = None) -> CheckResult:
    """Check a grid; ``reviews`` are the recorded half-year reviews (default: read from the private folder)."""
    from .reviews import load_reviews

    reg = build_register(grid, config)
    calendar = WorkCalendar.for_dates(config, reg.dates("received"), reg.dates("decided"), peildatum=peildatum)
    deadlines = compute_deadlines(reg, config, calendar)
    findings = validate(reg, config, peildatum, deadlines)
    inputs = flag_inputs(reg, deadlines, peildatum, config, calendar,
                         load_reviews(config) if reviews is None else reviews)
    flags = compute_flags(reg, deadlines, peildatum, config, calendar, inputs)
    return CheckResult(reg, deadlines, flags, findings, calendar, peildatum, compute_reminders(inputs))


def check_register(config: Config, peildatum: dt.date, session: Any = None) -> CheckResult:
    """Read the configured source and check it."""
    return check_grid(read_grid(config, session=session), config, peildatum)
