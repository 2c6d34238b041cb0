"""Benchmarks of the register foundation. Prints figures and RATIO lines; asserts nothing.

    python bench/bench_register.py [--rows 400000] [--runs 3]

`controleer` (check_grid) against its floor: a pandas DataFrame of the same grid plus pandas'
date parsing of the date columns, the two taking turns (best of ``--runs``). Target <= 2x.

What the profile (cProfile, 400,000 rows, December 2026) found: the per-row work was not in
urgency, follow-ups or reviews (flag_inputs + compute_flags together ~0.3 s, vectorised) but in
pandas' ``.str`` accessor, which pays NA bookkeeping per cell: the complaint-number checks
(``.str.fullmatch``, ``.str.normalize().str.casefold().str.replace()`` and a groupby, ~3 s),
the e-mail check (``.str.fullmatch``, 0.7 s) and stripping the complaint numbers while reading
(``.str.strip``, 0.6 s). They are now plain list comprehensions (a plain number's key is
``lower()`` without its punctuation; only the others go through NFKC + casefold). Blank cells
were found through a StringDType copy of the column (2x slower than one pass by class), and
the date columns went into the DataFrame as datetime64[D], which pandas converts column by
column to [s]. Ratio before: 3.2-3.8x; after: ~1.6-1.8x (measured under load 8, before the
merge of the public-boundary check). What remains is reading the cells into columns
(to_matrix), factorising the 16 enum and date columns, and the duplicate-number checks.

After the merge (same day, load ~1-3): 6.9x. Two causes. (1) The new warning for a closed
complaint without Wijze van afhandeling fired on every closed synthetic row (393,000 findings,
1.75 s in building them): the synthetic register now fills that column, as a kept register does,
and a finding's column letters and severity are looked up once per kind instead of per row.
(2) The public-boundary check (register/boundary.py: every published text against every
personal value of every complaint) costs ~2.4 s of ~3.7 s at 400,000 rows: normalising and
splitting the personal columns (the free texts above all) and matching their six-word runs; the
matcher now codes register words by the site's vocabulary only (7.7 s -> 3.6 s at 200,000 rows
with (1)). Now ~4.6-4.9x; reaching 2x needs that check to be incremental (only rows changed
since the last run) — not done.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from bench.ratio import best_interleaved, report  # noqa: E402
from register.check import check_grid, check_register  # noqa: E402
from register.config import config_from_dict  # noqa: E402
from register.demo import synthetic_grid  # noqa: E402
from register.schema import COLUMNS  # noqa: E402
from register.sources import Grid  # noqa: E402
from tests.sheets_fake import FakeSheets  # noqa: E402

PEIL = dt.date(2026, 11, 21)


def google_config():
    return config_from_dict({"register": {"bron": "google", "spreadsheet": "sheet-key-123"}}, ROOT / "x.toml")


def requests_per_run(rows: int) -> int:
    fake = FakeSheets()
    fake.add_tab("Register", synthetic_grid(rows))
    check_register(google_config(), PEIL, session=fake.session())
    return len(fake.requests)


def floor(values: list[list]) -> None:
    """Bare floor: DataFrame from the grid, date columns parsed with pandas."""
    df = pd.DataFrame(values[1:])
    for i, col in enumerate(COLUMNS):
        if col.kind == "date" and i in df.columns:
            pd.to_datetime(pd.to_numeric(df[i], errors="coerce"), unit="D", origin="1899-12-30", errors="coerce")


def controleer(values: list[list]) -> None:
    check_grid(Grid(values, "bench"), google_config(), PEIL, reviews=[])


def startup(cmd: list[str], runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=400_000)
    parser.add_argument("--runs", type=int, default=3, help="rounds; the best of each is reported")
    args = parser.parse_args()

    small, large = requests_per_run(10), requests_per_run(min(args.rows, 100_000))
    print(f"Sheets API requests per controleer run: {small} at 10 rows, {large} at {min(args.rows, 100_000):,} rows")

    values = synthetic_grid(args.rows)
    f, t = best_interleaved(args.runs, lambda: floor(values), lambda: controleer(values))
    print(f"controleer on {args.rows:,} rows ({len(COLUMNS)} columns): {t:.2f} s; "
          f"floor (DataFrame + pandas date parsing) {f:.2f} s; ratio {t / f:.2f}x (target <= 2x)")
    report(f"controleer_{args.rows // 1000}k" if args.rows >= 1000 else f"controleer_{args.rows}", t / f, 2.0)

    klachten = [sys.executable, "-m", "generator.app.cli", "--help"]
    typer_only = [sys.executable, "-c", "import typer"]
    runs = 2 * args.runs + 1
    a, b = startup(klachten, runs), startup(typer_only, runs)
    print(f"klachten --help start-up {a * 1000:.0f} ms; python -c 'import typer' {b * 1000:.0f} ms; "
          f"ratio {a / b:.2f}x (target <= 2x)")
    report("startup_help", a / b, 2.0)


if __name__ == "__main__":
    main()
