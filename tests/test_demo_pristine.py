"""The README's commands never change the demo register tracked in git: they use a working copy."""

import hashlib
import shutil
import subprocess

from typer.testing import CliRunner

from generator.app.cli import app
from tests.conftest import ROOT

DEMO = ROOT / "data" / "demo-register.xlsx"


def _digest() -> str:
    return hashlib.sha256(DEMO.read_bytes()).hexdigest()


def test_every_writing_command_leaves_the_tracked_demo_alone(tmp_path):
    before = _digest()
    text = (ROOT / "klachten.toml").read_text(encoding="utf-8")
    text = text.replace('pad = "data/demo-register.xlsx"', f'pad = "{DEMO}"')
    text = text.replace('map = "private"', f'map = "{tmp_path / "private"}"')
    text = text.replace('map = "private/brieven"', f'map = "{tmp_path / "brieven"}"')
    text = text.replace('uitvoer = "public"', f'uitvoer = "{tmp_path / "public"}"')
    cfg = tmp_path / "klachten.toml"
    cfg.write_text(text, encoding="utf-8")
    commands = [["inrichten"], ["controleer", "--schrijf"], ["anonimiseer", "--uitvoeren"],
                ["nachtrun", "--droog"], ["controleer"]]
    runner = CliRunner()
    for args in commands:
        result = runner.invoke(app, [*args, "--config", str(cfg)]
                               + (["--peildatum", "2026-11-21"] if args[0] != "inrichten" else []))
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        assert result.exit_code in (0, 1), (args, result.stderr)
    assert _digest() == before
    copy = tmp_path / "private" / "demo-register.xlsx"
    assert copy.exists() and hashlib.sha256(copy.read_bytes()).hexdigest() != before  # the copy was written
    if shutil.which("git") and (ROOT / ".git").exists():
        status = subprocess.run(["git", "status", "--porcelain", "--", "data"], cwd=ROOT, capture_output=True,
                                text=True, check=True)
        assert status.stdout == ""


def test_never_writes_under_an_open_or_read_only_file(make_config, tmp_path):
    import os
    import stat

    from tests.conftest import complaint

    cfg = make_config(rows=[complaint()])
    register = tmp_path / "register.xlsx"
    runner = CliRunner()
    for lock in ("~$register.xlsx", ".~lock.register.xlsx#"):
        (tmp_path / lock).write_text("x", encoding="utf-8")
        before = register.read_bytes()
        result = runner.invoke(app, ["inrichten", "--config", str(cfg.path)])
        assert result.exit_code == 2
        program = "LibreOffice" if lock.startswith(".~") else "Excel"
        assert result.stderr.startswith(f"Fout: 'register.xlsx' is geopend in {program} ({lock} bestaat)")
        assert register.read_bytes() == before
        (tmp_path / lock).unlink()
    os.chmod(register, 0o444)
    result = runner.invoke(app, ["inrichten", "--config", str(cfg.path)])
    if os.geteuid() != 0 or not os.access(register, os.W_OK):  # root may write anyway: then only mode counts
        assert result.exit_code == 2 and "is alleen-lezen" in result.stderr
    os.chmod(register, 0o640)
    assert runner.invoke(app, ["inrichten", "--config", str(cfg.path)]).exit_code == 0
    assert stat.S_IMODE(register.stat().st_mode) == 0o640  # mode kept when the file is replaced


def test_a_new_demo_in_git_replaces_an_old_working_copy(tmp_path):
    from register.config import load_config
    from register.sources.xlsx import register_file

    text = (ROOT / "klachten.toml").read_text(encoding="utf-8")
    text = text.replace('pad = "data/demo-register.xlsx"', f'pad = "{DEMO}"')
    text = text.replace('map = "private"', f'map = "{tmp_path / "private"}"')
    (tmp_path / "klachten.toml").write_text(text, encoding="utf-8")
    cfg = load_config(tmp_path / "klachten.toml")
    copy = register_file(cfg)
    assert copy == tmp_path / "private" / "demo-register.xlsx" and copy.read_bytes() == DEMO.read_bytes()
    copy.write_bytes(b"an older demo, or the owner's experiments")
    assert register_file(cfg).read_bytes() != DEMO.read_bytes()  # same demo in git: the copy is kept
    (tmp_path / "private" / "demo-register.xlsx.bron").write_text("hash of an older demo", encoding="utf-8")
    assert register_file(cfg).read_bytes() == DEMO.read_bytes()  # the demo in git changed: fresh copy
