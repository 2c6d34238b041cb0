"""Every benchmark runs at a tiny size (seconds), so none breaks unnoticed (issue 22).

Each runs as its own process, as the README's install runs it (this venv's python, from the
checkout), and must print at least one well-formed RATIO line. The figures themselves are not
asserted: at a tiny size and on a shared machine they mean nothing (no timed asserts in tests).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RATIO = re.compile(r"^RATIO name=([a-z0-9_]+) value=(-?\d+\.\d\d) target=(\d+(?:\.\d+)?) ok=(yes|no)$")

TINY = {
    "bench_register.py": ["--rows", "300", "--runs", "1"],
    "bench_xlsx.py": ["--rows", "300", "--runs", "1"],
    "bench_writes.py": ["--rows", "300"],
    "bench_letters.py": ["--letters", "2", "--send", "2", "--single", "1"],
    "bench_analyse.py": ["--rows", "300", "--years", "2", "--runs", "1"],
    "bench_parallel_nachtrun.py": ["--rounds", "1", "--data-delay", "0"],
    "bench_site.py": ["--rows", "300", "--runs", "1", "--skip-venv", "--skip-long"],
}
LIGHTHOUSE = Path("/tmp/lh/node_modules/.bin/lighthouse")
#: Benchmarks owned by another change that do not print RATIO lines yet: they must still run.
WITHOUT_RATIO: set[str] = set()


def run_bench(script: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def ratio_lines(stdout: str) -> list[re.Match[str]]:
    return [m for line in stdout.splitlines() if (m := RATIO.match(line))]


def test_every_benchmark_has_a_tiny_run():
    scripts = {p.name for p in (ROOT / "bench").glob("bench_*.py")}
    assert scripts - {"bench_lighthouse.py"} == set(TINY)


@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs_tiny(script):
    proc = run_bench(script, TINY[script])
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    if script not in WITHOUT_RATIO:
        assert ratio_lines(proc.stdout), f"{script} printed no RATIO line:\n{proc.stdout[-2000:]}"
    for line in proc.stdout.splitlines():
        if line.startswith("RATIO"):
            assert RATIO.match(line), f"malformed: {line!r}"


def test_lighthouse_benchmark_runs():
    """Needs the npm package lighthouse (see the script); a helper tool, not part of the product."""
    if not LIGHTHOUSE.exists() or not shutil.which("chromium"):
        pytest.skip("lighthouse is not installed in /tmp/lh")
    proc = run_bench("bench_lighthouse.py", [])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [m.group(1) for m in ratio_lines(proc.stdout)] == ["lighthouse_lowest_score"]


def test_ratio_line_format():
    from bench.ratio import ratio_line

    assert ratio_line("controleer_400k", 1.834, 2.0) == "RATIO name=controleer_400k value=1.83 target=2 ok=yes"
    assert ratio_line("x", 2.004, 2.0).endswith("ok=no")
    assert ratio_line("x", 2.0, 2.0).endswith("ok=yes")  # the target itself is within it
    assert ratio_line("speedup", 1.5, 1.6, higher=True).endswith("ok=no")
    assert ratio_line("digests", 1, 1, ok=False) == "RATIO name=digests value=1.00 target=1 ok=no"
    assert RATIO.match(ratio_line("x", 0.5, 1.3))
