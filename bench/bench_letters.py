"""Render 500 letters: one process against all cores, in the same run. Prints figures.

    python bench/bench_letters.py [--letters 500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.letters.render import letter_job, write_pdfs  # noqa: E402
from register.check import check_grid  # noqa: E402
from register.config import load_config  # noqa: E402
from register.demo import demo_rows  # noqa: E402
from register.schema import MARKER  # noqa: E402
from register.sources import Grid  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=500)
    args = parser.parse_args()
    config = load_config(ROOT / "klachten.toml")
    result = check_grid(Grid(demo_rows(), "demo"), config, dt.date(2026, 11, 21))
    rows = [i for i in range(len(result.register)) if result.register.text("name")[i] != MARKER]
    with tempfile.TemporaryDirectory() as tmp:
        jobs = []
        for n in range(args.letters):
            job = letter_job(result, config, rows[n % len(rows)], "ontvangstbevestiging", Path(tmp))
            jobs.append(job.__class__(Path(tmp) / f"{n}.pdf", job.html, job.base_url))
        cores = os.cpu_count() or 1
        start = time.perf_counter()
        write_pdfs(jobs, workers=1)
        single = time.perf_counter() - start
        start = time.perf_counter()
        write_pdfs(jobs, workers=cores)
        multi = time.perf_counter() - start
    n = args.letters
    print(f"{n} letters, 1 process: {single:.1f} s ({n / single:.1f} letters/s, {single / n * 1000:.0f} ms per letter)")
    print(f"{n} letters, {cores} processes: {multi:.1f} s ({n / multi:.1f} letters/s); "
          f"speed-up {single / multi:.2f}x (target >= 1.6x on 2 cores)")


if __name__ == "__main__":
    main()
