"""mypy stays clean: strict on register/, normal on generator/ (settings in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_mypy_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "register", "generator"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
