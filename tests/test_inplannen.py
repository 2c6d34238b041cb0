"""`klachten inplannen`: a systemd user timer at Dutch time (checked with systemd-analyze) and a
cron line that keeps Dutch time on Debian's cron, which lacks CRON_TZ (checked with croniter and
by running the line with sh)."""

import datetime as dt
import os
import re
import shutil
import subprocess
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter
from typer.testing import CliRunner

from generator.app.cli import app
from generator.app.schedule import make_schedule
from register.config import load_config
from tests.conftest import ROOT

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
runner = CliRunner()


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail("systemd-analyze ontbreekt; bash install.sh --test installeert het")
        pytest.skip("systemd-analyze ontbreekt")
    return found


@pytest.fixture
def cfg(make_config):
    return make_config()


def split_cron(line: str) -> tuple[str, str]:
    fields = line.split(maxsplit=5)
    return " ".join(fields[:5]), fields[5]


def test_timer_fires_at_dutch_time_in_summer_and_winter(cfg):
    plan = make_schedule(cfg, 6, 30)
    assert f"OnCalendar={plan.calendar}\n" in plan.timer and plan.calendar == "*-*-* 06:30:00 Europe/Amsterdam"
    result = subprocess.run([systemd_analyze(), "calendar", "--iterations=400", plan.calendar],
                            capture_output=True, text=True, env={**os.environ, "TZ": "UTC"})
    assert result.returncode == 0, result.stderr
    # With TZ=UTC each elapse is printed in UTC: 'Next elapse: Fri 2026-12-04 05:30:00 UTC', 'Iter. #2: …'
    in_utc = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC$", result.stdout,
                        re.MULTILINE)
    assert len(in_utc) == 400  # more than a year: both summer and winter time
    dutch = [dt.datetime.fromisoformat(t).replace(tzinfo=dt.UTC).astimezone(AMSTERDAM) for t in in_utc]
    assert {(d.hour, d.minute) for d in dutch} == {(6, 30)}
    assert {d.utcoffset() for d in dutch} == {dt.timedelta(hours=1), dt.timedelta(hours=2)}
    assert len({d.date() for d in dutch}) == 400  # once a day


def test_units_pass_systemd_analyze_verify(cfg, tmp_path):
    plan = make_schedule(cfg, 6, 0)
    assert f"WorkingDirectory={cfg.path.parent.resolve()}\n" in plan.service
    assert f"nachtrun --config {cfg.path.resolve()}\n" in plan.service  # the owner's folder, not the demo
    (tmp_path / "units").mkdir()
    (tmp_path / "units" / f"{plan.name}.service").write_text(plan.service, encoding="utf-8")
    (tmp_path / "units" / f"{plan.name}.timer").write_text(plan.timer, encoding="utf-8")
    result = subprocess.run([systemd_analyze(), "verify", f"{plan.name}.service", f"{plan.name}.timer"],
                            cwd=tmp_path / "units", capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("machine_zone", ["UTC", "Europe/Amsterdam", "America/New_York", "Asia/Tokyo"])
def test_cron_line_runs_once_a_day_at_dutch_time(cfg, machine_zone):
    """croniter gives the times cron starts the line in the machine's zone; the guard passes on
    exactly one of them per Dutch day, at 6:00 Dutch time, across both DST changes."""
    plan = make_schedule(cfg, 6, 0)
    schedule, command = split_cron(plan.cron)
    assert croniter.is_valid(schedule) and "CRON_TZ" not in plan.cron
    hour = int(re.search(r'date \+\\%H\)" = "(\d\d)"', command).group(1))
    zone = ZoneInfo(machine_zone)
    start = dt.datetime(2026, 3, 20, tzinfo=zone)
    runs = croniter(schedule, start)
    passed = []
    while (when := runs.get_next(dt.datetime)) < dt.datetime(2026, 11, 10, tzinfo=zone):
        dutch = when.astimezone(AMSTERDAM)
        if dutch.hour == hour:
            passed.append(dutch)
    days = [d.date() for d in passed]
    assert len(days) == len(set(days)) == (dt.date(2026, 11, 10) - dt.date(2026, 3, 20)).days
    assert {(d.hour, d.minute) for d in passed} == {(6, 0)}


def run_cron_command(cfg, tmp_path, hour: str) -> str:
    """Run the line's command as cron would (sh, crontab's \\% unescaped), with a fake `date`
    answering ``hour`` and a fake klachten that records how it was started."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "date").write_text('#!/bin/sh\n[ "$TZ" = Europe/Amsterdam ] && [ "$1" = "+%H" ] && echo "$FAKE_HOUR"\n',
                                  encoding="utf-8")
    marker = tmp_path / "gestart.txt"
    fake = tmp_path / "klachten-nep"
    fake.write_text(f'#!/bin/sh\necho "$PWD $* $KLACHTEN_SMTP_PASSWORD" > {marker}\n', encoding="utf-8")
    for script in (bin_dir / "date", fake):
        script.chmod(0o755)
    home = tmp_path / "home"
    (home / ".config" / "klachten").mkdir(parents=True, exist_ok=True)
    (home / ".config" / "klachten" / "omgeving").write_text("KLACHTEN_SMTP_PASSWORD=geheim\n", encoding="utf-8")
    _, command = split_cron(make_schedule(cfg, 6, 0, command=[str(fake)]).cron)
    marker.unlink(missing_ok=True)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(home), "FAKE_HOUR": hour, "SHELL": "/bin/sh"}
    subprocess.run(["/bin/sh", "-c", command.replace("\\%", "%")], env=env, cwd="/", timeout=60)
    return marker.read_text(encoding="utf-8").strip() if marker.exists() else ""


def test_cron_command_runs_only_in_the_dutch_hour(cfg, tmp_path):
    assert run_cron_command(cfg, tmp_path, "07") == ""
    assert run_cron_command(cfg, tmp_path, "05") == ""
    started = run_cron_command(cfg, tmp_path, "06")
    assert started == f"{cfg.path.parent.resolve()} nachtrun --config {cfg.path.resolve()} geheim"
    assert (cfg.private_dir() / "nachtrun.log").exists()


def test_deploy_files_are_what_inplannen_makes(tmp_path):
    """deploy/ shows the same line and units for an example folder /srv/klachten."""
    (tmp_path / "klachten.toml").write_text("", encoding="utf-8")
    example = load_config(tmp_path / "klachten.toml")
    plan = make_schedule(example, 6, 0, command=["/opt/klachten/.venv/bin/klachten"])
    folder = str(tmp_path.resolve())
    cron = (ROOT / "deploy" / "crontab").read_text(encoding="utf-8")
    assert plan.cron.replace(folder, "/srv/klachten") in cron.splitlines()
    assert "CRON_TZ" not in "".join(line for line in cron.splitlines() if not line.startswith("#"))
    timer = (ROOT / "deploy" / "systemd" / "klachten-nachtrun.timer").read_text(encoding="utf-8")
    assert f"OnCalendar={plan.calendar}" in timer
    service = (ROOT / "deploy" / "systemd" / "klachten-nachtrun.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/klachten/.venv/bin/klachten nachtrun --config /srv/klachten/klachten.toml" in service
    assert "WorkingDirectory=/srv/klachten" in service


def test_inplannen_prints_both_and_refuses_a_bad_time(cfg):
    result = runner.invoke(app, ["inplannen", "--config", str(cfg.path)])
    assert result.exit_code == 0, result.output
    plan = make_schedule(cfg, 6, 0)
    assert plan.timer in result.stdout and plan.service in result.stdout and plan.cron in result.stdout
    bad = runner.invoke(app, ["inplannen", "--tijd", "25:00", "--config", str(cfg.path)])
    assert bad.exit_code == 2
    assert bad.stderr == "Fout: --tijd '25:00' is geen tijd; gebruik UU:MM, bijv. 06:00\n"


def test_installeer_writes_the_user_units_and_enables_the_timer(cfg, tmp_path, monkeypatch):
    bin_dir = tmp_path / "nepbin"
    bin_dir.mkdir()
    calls = tmp_path / "systemctl.txt"
    (bin_dir / "systemctl").write_text(f'#!/bin/sh\necho "$*" >> {calls}\n', encoding="utf-8")
    (bin_dir / "systemctl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    result = runner.invoke(app, ["inplannen", "--installeer", "--tijd", "07:15", "--config", str(cfg.path)])
    assert result.exit_code == 0, result.output
    plan = make_schedule(cfg, 7, 15)
    units = tmp_path / "home" / ".config" / "systemd" / "user"
    assert (units / f"{plan.name}.timer").read_text(encoding="utf-8") == plan.timer
    assert (units / f"{plan.name}.service").read_text(encoding="utf-8") == plan.service
    assert calls.read_text(encoding="utf-8").splitlines() == ["--user daemon-reload",
                                                              f"--user enable --now {plan.name}.timer"]
    assert "loginctl enable-linger" in result.stdout


def test_installeer_reports_a_failing_systemctl(cfg, tmp_path, monkeypatch):
    bin_dir = tmp_path / "nepbin"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text('#!/bin/sh\necho "Failed to connect to bus" >&2\nexit 1\n', encoding="utf-8")
    (bin_dir / "systemctl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    result = runner.invoke(app, ["inplannen", "--installeer", "--config", str(cfg.path)])
    assert result.exit_code == 2
    assert result.stderr.startswith("Fout: systemctl --user daemon-reload mislukte (Failed to connect to bus)")
