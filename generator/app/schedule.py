"""`klachten inplannen`: the nightly run for this folder at a Dutch time, as a systemd user timer
or a cron line.

systemd knows time zones (``OnCalendar=… Europe/Amsterdam``). Debian's cron does not know
``CRON_TZ``: the cron line runs every hour at the chosen minute and a guard lets only the run in
the chosen Dutch hour through, so it keeps Dutch time through summer and winter time and on a
machine set to any whole-hour time zone.
"""

from __future__ import annotations

import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from register.config import Config
from register.errors import ConfigError

TIME_ZONE = "Europe/Amsterdam"
SECRETS = ".config/klachten/omgeving"  # under $HOME: SMTP password, Google key path (chmod 600)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Schedule:
    """Everything `inplannen` prints or installs for one folder."""

    name: str  # unit name without suffix: klachten-nachtrun-<folder>
    service: str
    timer: str
    cron: str
    calendar: str  # the OnCalendar= value


def parse_time(text: str) -> tuple[int, int]:
    """'6:00' or '06:30' -> (6, 0) / (6, 30); anything else is a ConfigError."""
    match = _TIME.match(text.strip())
    if not match:
        raise ConfigError(f"--tijd '{text}' is geen tijd; gebruik UU:MM, bijv. 06:00")
    return int(match.group(1)), int(match.group(2))


def klachten_command() -> list[str]:
    """How to start this installation's klachten: the script beside this Python (venv, pipx)."""
    script = Path(sys.executable).parent / "klachten"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "generator.app.cli"]


def unit_name(folder: Path) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", folder.name).strip("-").lower() or "map"
    return f"klachten-nachtrun-{slug}"


def make_schedule(config: Config, hour: int, minute: int, command: list[str] | None = None) -> Schedule:
    folder = config.path.resolve().parent
    run = [*(command or klachten_command()), "nachtrun", "--config", str(config.path.resolve())]
    calendar = f"*-*-* {hour:02d}:{minute:02d}:00 {TIME_ZONE}"
    name = unit_name(folder)
    service = "\n".join([
        "[Unit]",
        f"Description=klachten nachtrun voor {folder}",
        "Wants=network-online.target",
        "After=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        f"WorkingDirectory={folder}",
        f"EnvironmentFile=-%h/{SECRETS}",
        "ExecStart=" + " ".join(_systemd_quote(part) for part in run),
        "TimeoutStartSec=30min",
        "",
    ])
    timer = "\n".join([
        "[Unit]",
        f"Description=klachten nachtrun elke dag om {hour}:{minute:02d} Nederlandse tijd ({folder})",
        "",
        "[Timer]",
        f"OnCalendar={calendar}",
        "Persistent=true",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
    ])
    log = config.private_dir().resolve() / "nachtrun.log"
    # In a crontab a bare % ends the command: date's format is escaped.
    guard = f'[ "$(TZ={TIME_ZONE} date +\\%H)" = "{hour:02d}" ]'
    secrets = f'if [ -r "$HOME/{SECRETS}" ]; then set -a; . "$HOME/{SECRETS}"; set +a; fi'
    body = (f"{guard} && cd {shlex.quote(str(folder))} && mkdir -p {shlex.quote(str(log.parent))} && "
            f"{{ {secrets}; {shlex.join(run)}; }} >> {shlex.quote(str(log))} 2>&1")
    cron = f"{minute} * * * * {body}"
    return Schedule(name, service, timer, cron, calendar)


def _systemd_quote(part: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9/._:=+@-]+", part):
        return part
    return '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'


def install_user_timer(schedule: Schedule, home: Path | None = None) -> Path:
    """Write the units to ~/.config/systemd/user and enable the timer (systemctl --user)."""
    import shutil
    import subprocess

    folder = (home or Path.home()) / ".config" / "systemd" / "user"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{schedule.name}.service").write_text(schedule.service, encoding="utf-8")
    (folder / f"{schedule.name}.timer").write_text(schedule.timer, encoding="utf-8")
    systemctl = shutil.which("systemctl")
    if systemctl is None:
        raise ConfigError(f"systemctl niet gevonden; de units staan in {folder}, maar zijn niet aangezet")
    for args in (["daemon-reload"], ["enable", "--now", f"{schedule.name}.timer"]):
        done = subprocess.run([systemctl, "--user", *args], capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            reason = " ".join(done.stderr.split())[:200] or f"exitcode {done.returncode}"
            raise ConfigError(f"systemctl --user {' '.join(args)} mislukte ({reason}); de units staan in {folder}")
    return folder
