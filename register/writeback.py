"""Writing to the register, safely: by complaint number, only changed cells, in one request.

Every write re-reads the register right before writing and finds each complaint's row by its
Klachtnummer, so rows the owner sorted, inserted or deleted in the meantime never receive
another complaint's values; a number that vanished or became ambiguous is skipped and
reported. Google Sheets gets one values:batchUpdate with valueInputOption RAW (text that starts
with '=' stays text); a local .xlsx is copied to the backup folder before it is replaced.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .config import Config
from .parse import cell_text
from .policy import MARKER, PERSONAL_KEYS, not_anonymisable_reason
from .sources import open_source
from .sources.base import Guard, WriteReport

if TYPE_CHECKING:
    from .check import CheckResult

__all__ = ["MARKER", "WriteReport", "anonymisation_candidates", "anonymise", "apply_updates", "write_deadlines"]


def apply_updates(config: Config, updates: dict[str, dict[str, Any]], session: Any = None,
                  guard: Guard | None = None) -> WriteReport:
    """Write ``{klachtnummer: {schema key: value}}`` to the configured register, by number."""
    return open_source(config, session).update_by_number(updates, guard)


# -- what klachten writes -----------------------------------------------------------------------
def write_deadlines(config: Config, result: CheckResult, session: Any = None) -> WriteReport:
    """Fill the tool's columns (Bevestigen vóór, Standpunt vóór, Signaal) for every complaint."""
    from .signals import BY_NAME

    reg, d = result.register, result.deadlines
    numbers = reg.frame["complaint_no"].to_numpy()
    ack = d["acknowledge_due"].to_numpy(dtype="datetime64[D]")
    decision = d["decision_due"].to_numpy(dtype="datetime64[D]")
    signals: dict[int, list[str]] = {}
    for row, signal in zip(result.flags["row"], result.flags["signaal"], strict=True):
        signals.setdefault(int(row), []).append(BY_NAME[signal].label)
    unique = (numbers != "") & ~pd.Series(numbers).duplicated(keep=False).to_numpy()
    ack_dates = ack.astype(object)  # datetime.date, or None for NaT
    decision_dates = decision.astype(object)
    updates = {}
    for i in np.flatnonzero(unique):
        updates[numbers[i]] = {
            "ack_due_written": ack_dates[i],
            "decision_due_written": decision_dates[i],
            "signal_written": "; ".join(signals.get(int(i), [])),
        }
    return apply_updates(config, updates, session)


def anonymisation_candidates(result: CheckResult) -> list[int]:
    """Rows whose retention expired: closed, not escalated, not yet anonymised."""
    flags = result.flags
    return sorted(int(r) for r in flags.loc[flags["signaal"] == "bewaartermijn_verlopen", "row"])


def _still_expired(current: dict[str, Any]) -> str | None:
    return not_anonymisable_reason(cell_text(current.get("status")), cell_text(current.get("escalated_to")),
                                   cell_text(current.get("anonymised")), cell_text(current.get("escalation_ended")))


def anonymise(config: Config, result: CheckResult, today: dt.date, session: Any = None) -> tuple[WriteReport, Path]:
    """Back up the whole register, then replace the personal fields of expired complaints
    with a marker and fill Geanonimiseerd op, in one write. Logs number and date only.

    Before the write, the keyed hashes of the complaints' personal tokens go to the private
    folder (:func:`register.personal.remember`), so the site's privacy guard still recognises
    a name or number after the register no longer holds it."""
    from .locks import register_lock

    with register_lock(config):  # the backup and the write see the same register
        return _anonymise(config, result, today, session)


def _anonymise(config: Config, result: CheckResult, today: dt.date, session: Any) -> tuple[WriteReport, Path]:
    from .backup import write_backup
    from .deadlines import AMSTERDAM

    folder = config.private_dir()
    from .store import PrivateStore

    backup = write_backup(open_source(config, session).read(), config.backups_dir(), dt.datetime.now(AMSTERDAM),
                          keep=0, max_days=config.nachtrun.backups_bewaren, store=PrivateStore(config))
    from .personal import remember, rows_tokens

    reg = result.register
    numbers = reg.frame["complaint_no"].to_numpy()
    candidates = anonymisation_candidates(result)
    remember(folder, rows_tokens(reg, candidates))
    updates: dict[str, dict[str, Any]] = {}
    for i in candidates:
        values: dict[str, Any] = {key: MARKER for key in PERSONAL_KEYS if key in reg.positions and reg.text(key)[i]}
        values["anonymised"] = today
        updates[numbers[i]] = values
    report = apply_updates(config, updates, session, guard=_still_expired)
    # Everything else the tool wrote for these complaints: letters, queued mail, caches.
    from .retention import remove_traces
    from .store import PrivateStore

    done = set(report.updated)
    rows = [i for i in candidates if numbers[i] in done]
    personal = [str(reg.text(key)[i]) for key in PERSONAL_KEYS if key in reg.positions for i in rows]
    report.removed_files = remove_traces(config, sorted(done), personal)
    if report.updated:  # numbers and dates only: the log holds no personal data
        PrivateStore(config).append(folder / "anonimisering.log",
                                    "".join(f"{today.isoformat()} {n} geanonimiseerd\n" for n in report.updated), [])
    return report, backup
