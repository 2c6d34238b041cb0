"""Re-apply the five due-day mutations named in issue 9 and check the boundary tests kill each.

Each mutation is applied to a throw-away copy of the worktree (the real files are never touched),
then tests/test_due_day_boundaries.py runs against that copy; a mutant is killed when it fails.
Usage: python bench/named_mutants.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTATIONS = [
    ("register/signals.py", "", ""),  # baseline: the unmutated copy must pass
    ("register/signals.py", "(f.today > f.acknowledge_due)", "(f.today >= f.acknowledge_due)"),
    ("register/signals.py", "(f.today > f.decision_due)", "(f.today >= f.decision_due)"),
    ("register/signals.py", "(f.working_days_to_ack <= f.warn)", "(f.working_days_to_ack < f.warn)"),
    ("register/validate.py", "c.add(dates > today,", "c.add(dates >= today,"),
    ("register/writeback.py", '    if cell_text(current.get("escalated_to")):\n        return "is geëscaleerd"\n', ""),
]


def main() -> int:
    survivors = 0
    for path, old, new in MUTATIONS:
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "klachten"
            shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", "mutants", "__pycache__", ".hypothesis"))
            source = (copy / path).read_text(encoding="utf-8")
            if old:
                assert source.count(old) == 1, f"{path}: {old!r} found {source.count(old)} times"
                (copy / path).write_text(source.replace(old, new), encoding="utf-8")
            run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                                  "tests/test_due_day_boundaries.py"], cwd=copy, capture_output=True, text=True,
                                 env={**os.environ, "PYTHONPATH": str(copy)})
            failed = [line for line in run.stdout.splitlines() if line.startswith("FAILED")]
            killed = run.returncode != 0
            if not old:
                print(f"baseline: {'FAILS' if killed else 'passes'}")
                survivors += killed
                continue
            survivors += not killed
            label = old.strip().splitlines()[0]
            print(f"{'killed' if killed else 'SURVIVED'}: {path} {label!r} -> {new.strip()!r}"
                  + (f"  [{failed[0][7:]}]" if failed else ""))
    return 1 if survivors else 0


if __name__ == "__main__":
    raise SystemExit(main())
