"""One call that reads, validates and flags a register: what `controleer` and the nightly run use."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .calendar import WorkCalendar
from .config import Config
from .deadlines import compute_deadlines, compute_flags
from .model import Register, build_register
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

    @property
    def has_errors(self) -> bool:
        return has_errors(self.findings)

    def to_json(self) -> dict[str, Any]:
        """The `controleer --json` contract: {"fouten": [...], "signalen": [...]}."""
        flags = self.flags
        return {
            "fouten": [f.to_json() for f in self.findings],
            "signalen": [
                {"klachtnummer": k, "signaal": s, "uiterlijk": str(u)[:10]}
                for k, s, u in zip(flags["klachtnummer"], flags["signaal"],
                                   flags["uiterlijk"].to_numpy(dtype="datetime64[D]"), strict=True)
            ],
        }


def check_grid(grid: Grid, config: Config, peildatum: dt.date) -> CheckResult:
    reg = build_register(grid, config)
    calendar = WorkCalendar.for_dates(config, reg.dates("received"), reg.dates("decided"), peildatum=peildatum)
    deadlines = compute_deadlines(reg, config, calendar)
    findings = validate(reg, config, peildatum, deadlines)
    flags = compute_flags(reg, deadlines, peildatum, config, calendar)
    return CheckResult(reg, deadlines, flags, findings, calendar, peildatum)


def check_register(config: Config, peildatum: dt.date, session: Any = None) -> CheckResult:
    """Read the configured source and check it."""
    return check_grid(read_grid(config, session=session), config, peildatum)
