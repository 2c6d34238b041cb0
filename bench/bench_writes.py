"""Benchmarks of writing a large local .xlsx register. Prints figures and a RATIO line; asserts nothing.

    python bench/bench_writes.py [--rows 200000]

Times, end to end through the CLI (a fresh process each): `inrichten` on a register without
tool columns, a first `controleer --schrijf` (every complaint gets its dates and signal), a
second one (nothing changes), and `inrichten` again (nothing to add).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ratio import report  # noqa: E402
from register.demo import synthetic_grid, write_xlsx  # noqa: E402
from tests.conftest import BASE_TOML  # noqa: E402


def run(args: list[str], folder: Path) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "generator.app.cli", *args, "--config", str(folder / "klachten.toml")],
                          capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    lines = [line for line in (proc.stdout + proc.stderr).splitlines()
             if line.startswith(("Termijnen", "Register", "Fout", "Ingericht", "kolommen"))]
    return seconds, f"exit {proc.returncode}; " + " | ".join(lines)[:160]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "klachten.toml").write_text(BASE_TOML, encoding="utf-8")
        start = time.perf_counter()
        write_xlsx(folder / "register.xlsx", synthetic_grid(args.rows))
        size = (folder / "register.xlsx").stat().st_size
        print(f"register: {args.rows:,} rijen, {size / 1e6:.1f} MB (gemaakt in {time.perf_counter() - start:.1f} s)")
        times: dict[str, float] = {}
        for label, command in (("inrichten (eerste keer)", ["inrichten"]),
                               ("controleer --schrijf (alle cellen)", ["controleer", "--schrijf", "--peildatum", "2026-11-21"]),
                               ("controleer --schrijf (niets nieuw)", ["controleer", "--schrijf", "--peildatum", "2026-11-21"]),
                               ("controleer --schrijf (volgende dag)", ["controleer", "--schrijf", "--peildatum", "2026-11-23"]),
                               ("inrichten (tweede keer)", ["inrichten"]),
                               ("controleer (alleen lezen)", ["controleer", "--peildatum", "2026-11-23"])):
            seconds, summary = run(command, folder)
            times[label] = seconds
            print(f"{label:38s} {seconds:6.1f} s   {summary}")
        size = (folder / "register.xlsx").stat().st_size
        print(f"register daarna: {size / 1e6:.1f} MB")
    # As commands (a process each, start-up included): the in-process figures are in bench_xlsx.py.
    report("writes_cli_schrijf_vs_controleer", times["controleer --schrijf (alle cellen)"]
           / times["controleer (alleen lezen)"], 2.0)


if __name__ == "__main__":
    main()
