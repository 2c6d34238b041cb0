"""Benchmarks of the register foundation. Prints figures; asserts nothing.

    python bench/bench_register.py [--rows 400000]
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


def floor(values: list[list]) -> float:
    """Bare floor: DataFrame from the grid, date columns parsed with pandas."""
    start = time.perf_counter()
    df = pd.DataFrame(values[1:])
    for i, col in enumerate(COLUMNS):
        if col.kind == "date" and i in df.columns:
            pd.to_datetime(pd.to_numeric(df[i], errors="coerce"), unit="D", origin="1899-12-30", errors="coerce")
    return time.perf_counter() - start


def controleer(values: list[list]) -> float:
    cfg = google_config()
    start = time.perf_counter()
    check_grid(Grid(values, "bench"), cfg, PEIL)
    return time.perf_counter() - start


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
    args = parser.parse_args()

    small, large = requests_per_run(10), requests_per_run(100_000)
    print(f"Sheets API requests per controleer run: {small} at 10 rows, {large} at 100,000 rows")

    values = synthetic_grid(args.rows)
    floors = [floor(values) for _ in range(3)]
    totals = [controleer(values) for _ in range(3)]
    f, t = min(floors), min(totals)
    print(f"controleer on {args.rows:,} rows ({len(COLUMNS)} columns): {t:.2f} s; "
          f"floor (DataFrame + pandas date parsing) {f:.2f} s; ratio {t / f:.2f}x (target <= 2x)")

    klachten = [sys.executable, "-m", "generator.app.cli", "--help"]
    typer_only = [sys.executable, "-c", "import typer"]
    a, b = startup(klachten), startup(typer_only)
    print(f"klachten --help start-up {a * 1000:.0f} ms; python -c 'import typer' {b * 1000:.0f} ms; "
          f"ratio {a / b:.2f}x (target <= 2x)")


if __name__ == "__main__":
    main()
