"""The local .xlsx path against its floor, in process, the steps taking turns (best of --runs):

    python bench/bench_xlsx.py [--rows 200000] [--runs 3]

- `controleer` on a .xlsx register (check_register: the file checks, calamine, check_grid)
  against a bare python-calamine read of the same tab: target <= 2x.
- `controleer --schrijf` of every cell (check_register + write_deadlines on a fresh copy in
  which the tool's three columns are empty, so every complaint gets three cells) against that
  `controleer`: target <= 2x.

What the profile found (cProfile, 50,000 rows, December 2026): `controleer` was calamine's read
plus, as large again, check_size, the guard against a far-away cell before calamine allocates:
it decompressed the sheet XML twice and ran two regexes without a literal prefix, so `re`
stopped at every '<'. Now the patterns start with a literal, rows are read by one findall when
the sheet has no namespace prefix, and the XML is decompressed once (2.05 s -> ~0.7 s at
50,000 rows); the rest is check_grid (see bench_register.py). Ratio 2.49x -> 1.67x.
`--schrijf` is splice_sheet (per-row splicing of the worksheet bytes, ~55%) and
_plan_updates (comparing every cell with _same, ~25%), then zip recompression; only small
wins so far (cached column letters, no parsing for a date into an empty cell): 2.6x, above
target. The next step: plan by column arrays and splice a row's cells in one pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ratio import best_interleaved, report  # noqa: E402
from register.check import check_register  # noqa: E402
from register.config import load_config  # noqa: E402
from register.demo import synthetic_grid, write_xlsx  # noqa: E402
from register.sources import open_source  # noqa: E402
from register.sources import xlsx as xlsx_source  # noqa: E402
from register.writeback import write_deadlines  # noqa: E402
from tests.conftest import BASE_TOML  # noqa: E402

PEIL = dt.date(2026, 11, 21)


def bare_read(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    workbook.get_sheet_by_name("Register").to_python(skip_empty_area=False)
    workbook.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3, help="rounds; the best of each is reported")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "klachten.toml").write_text(BASE_TOML, encoding="utf-8")
        register = folder / "register.xlsx"
        write_xlsx(register, synthetic_grid(args.rows))
        config = load_config(folder / "klachten.toml")
        open_source(config).setup(PEIL)  # `inrichten`: the tool's columns, still empty
        pristine = folder / "pristine.xlsx"
        shutil.copyfile(register, pristine)

        def controleer() -> None:
            xlsx_source._LAST_READ.clear()  # a fresh process never has the previous read
            check_register(config, PEIL)

        written = []

        def schrijf() -> None:
            shutil.copyfile(pristine, register)  # every cell to write again
            xlsx_source._LAST_READ.clear()
            start = time.perf_counter()
            written.append(write_deadlines(config, check_register(config, PEIL)).cells)
            schrijf_times.append(time.perf_counter() - start)

        schrijf_times: list[float] = []
        bare, check, _ = best_interleaved(args.runs, lambda: bare_read(register), controleer, schrijf)
        write = min(schrijf_times)  # without the copy of the pristine file
    print(f".xlsx with {args.rows:,} rows: bare calamine read {bare:.2f} s; controleer {check:.2f} s; "
          f"controleer --schrijf ({written[-1]:,} cells) {write:.2f} s")
    size = f"{args.rows // 1000}k" if args.rows >= 1000 else str(args.rows)
    report(f"xlsx_controleer_{size}", check / bare, 2.0)
    report(f"xlsx_schrijf_{size}", write / check, 2.0)


if __name__ == "__main__":
    main()
