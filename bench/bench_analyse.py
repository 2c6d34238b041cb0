"""Benchmark of `klachten analyse`: 50,000 complaints over 10 years. Prints figures; asserts nothing.

    python bench/bench_analyse.py [--rows 50000] [--years 10] [--runs 3]

Times, per run: reading and checking the grid (as `controleer` does), the review's figures
(pandas), the HTML with its charts, and the PDF (WeasyPrint), and the whole `write_report`.
Target: analyse + HTML + PDF within 5 s on the project machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ratio import report  # noqa: E402
from generator.analysis.compute import analyse  # noqa: E402
from generator.analysis.report import html_report, write_report  # noqa: E402
from register.check import check_grid  # noqa: E402
from register.config import config_from_dict  # noqa: E402
from register.demo import synthetic_grid  # noqa: E402
from register.periods import parse_period  # noqa: E402
from register.sources import Grid  # noqa: E402

PEIL = dt.date(2026, 11, 21)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--periode", default="2026-H1")
    args = parser.parse_args()
    grid = synthetic_grid(args.rows, PEIL, years=args.years, review_columns=True)
    period = parse_period(args.periode)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = config_from_dict({"nachtrun": {"map": str(Path(tmp) / "private")}}, Path(tmp) / "klachten.toml")
        timings: dict[str, list[float]] = {k: [] for k in ("controleer", "analyse", "html", "write_report")}
        for _ in range(args.runs):
            t0 = time.perf_counter()
            result = check_grid(Grid(grid, "bench"), cfg, PEIL, reviews=[])
            t1 = time.perf_counter()
            analysis = analyse(result, period)
            t2 = time.perf_counter()
            html_report(analysis, cfg, [])
            t3 = time.perf_counter()
            files = write_report(result, cfg, period)  # analyse + HTML + PDF, as the command does
            t4 = time.perf_counter()
            for key, value in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                value and timings[key].append(value)
        print(f"{args.rows} klachten over {args.years} jaar, periode {period.label}; "
              f"{analysis.repeat_total} herhaalde klagers, {analysis.open_total} open klachten; "
              f"PDF {files.pages} pagina's")
        for key, values in timings.items():
            print(f"  {key:13s} mediaan {statistics.median(values):6.2f} s  (min {min(values):.2f} s)")
        total = statistics.median(timings["controleer"]) + statistics.median(timings["write_report"])
        print(f"  klachten analyse (controleer + rapport) ≈ {total:.2f} s (target <= 5 s at 50,000 rows)")
        # No baseline process here: the figure is measured against its 5-second budget.
        report(f"analyse_{args.rows // 1000}k_vs_5s", total / 5.0, 1.0)


if __name__ == "__main__":
    main()
