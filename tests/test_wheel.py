"""The owner's folder does not need the checkout: a wheel carries templates, mkdocs.yml, the theme
overrides and the site assets, and from it `klachten init` plus every daily command works in an
empty folder (as after `pip install` or `pipx install`)."""

import ast
import datetime as dt
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import openpyxl
import pytest

from generator import resources
from tests.conftest import ROOT

SKIP_IN_COPY = shutil.ignore_patterns(".git", ".venv", "private", "public", "build", "*.egg-info", "__pycache__",
                                      ".hypothesis", ".mypy_cache", ".pytest_cache", "mutants", "node_modules",
                                      "bench", "tests")


def run(*args, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("KLACHTEN_CONFIG", "PYTHONPATH")}
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv outside the checkout with only the built wheel in it (dependencies are borrowed
    from the test environment through a .pth file, so nothing is downloaded twice)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "bron"
    shutil.copytree(ROOT, source, ignore=SKIP_IN_COPY)  # build from a copy: the checkout gets no build/
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q",
                "-w", base / "dist", source, cwd=base)
    assert built.returncode == 0, built.stderr
    wheel = next((base / "dist").glob("klachten-*.whl"))
    venv = base / "venv"
    made = run(sys.executable, "-m", "venv", venv, cwd=base)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                       cwd=base).stdout.strip())
    (purelib / "klachten-afhankelijkheden.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    done = run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--disable-pip-version-check", "-q",
               wheel, cwd=base)
    assert done.returncode == 0, done.stderr
    return venv


def test_setup_ships_what_the_helper_looks_for():
    setup = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    shipped = next(node.value for node in ast.walk(setup)
                   if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "SHIPPED")
    assert ast.literal_eval(shipped) == resources.SHIPPED
    for name in resources.SHIPPED:
        assert (ROOT / name).exists(), name


def test_from_a_wheel_in_an_empty_folder_every_command_works(installed, tmp_path):
    klachten = installed / "bin" / "klachten"
    where = run(installed / "bin" / "python", "-c",
                "import generator.resources as r, generator; print(r.resources_root()); print(generator.__file__)",
                cwd=tmp_path)
    root, module = where.stdout.split()
    assert not Path(module).is_relative_to(ROOT) and Path(root).is_relative_to(installed), where.stdout
    for name in ("mkdocs.yml", "templates/brieven/ontvangstbevestiging.html", "templates/theme/404.html",
                 "site/assets/extra.css", "templates/mail/digest.txt", "templates/analyse/rapport.html"):
        assert (Path(root) / name).is_file(), name

    folder = tmp_path / "eigen-map"
    folder.mkdir()
    book = openpyxl.Workbook()
    book.active.title = "Blad1"
    book.save(folder / "register.xlsx")
    init = run(klachten, "init", "--organisatie", "Bakkerij De Korrel", "--klachtverantwoordelijke", "J. Jansen",
               "--email", "klachten@dekorrel.nl", "--adres", "Molenweg 3", "--postcode", "3011 AB",
               "--plaats", "Rotterdam", "--mailserver", "geen", "--escalatie", "Geschillencommissie",
               "--register", "register.xlsx", cwd=folder)
    assert init.returncode == 0, init.stdout + init.stderr
    book = openpyxl.load_workbook(folder / "register.xlsx")
    sheet = book["Register"]
    headers = [c.value for c in sheet[1]]
    for values in ({"Klachtnummer": "K2026-001", "Datum ontvangst": dt.date(2026, 11, 20), "Kanaal": "e-mail",
                    "Reden uitstel": "Wij wachten op de leverancier",
                    "Naam": "Piet Proef", "Omschrijving": "Brood was oud", "Status": "nieuw", "Behandelaar": "J. Jansen"},
                   {"Klachtnummer": "K2026-002", "Datum ontvangst": dt.date(2026, 9, 1), "Kanaal": "telefoon",
                    "Naam": "Sanne Smit", "Omschrijving": "Taart te laat", "Datum bevestiging": dt.date(2026, 9, 2),
                    "Datum standpunt": dt.date(2026, 9, 10), "Standpunt": "gegrond", "Motivering": "Klopt",
                    "Status": "afgehandeld", "Behandelaar": "J. Jansen"}):
        row = 2 if values["Klachtnummer"].endswith("1") else 3
        for key, value in values.items():
            sheet.cell(row=row, column=headers.index(key) + 1, value=value)
    book.save(folder / "register.xlsx")

    day = ["--peildatum", "3-12-2026"]
    outputs = {}
    for command in (["config"], ["controleer", *day], ["brieven", *day], ["site", *day], ["nachtrun", *day],
                    ["analyse", "--periode", "2026-H2", *day]):
        result = run(klachten, *command, cwd=folder)
        outputs[command[0]] = result
        assert "Traceback" not in result.stdout + result.stderr, command
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    assert "Configuratie in orde" in outputs["config"].stdout
    assert (folder / "private" / "brieven" / "K2026-001_ontvangstbevestiging.pdf").is_file()
    for page in ("index.html", "klachtenregeling/index.html", "klacht-indienen/index.html", "404.html",
                 "assets/extra.css"):
        assert (folder / "public" / page).is_file(), page
    assert "Bakkerij De Korrel" in (folder / "public" / "klachtenregeling" / "index.html").read_text(encoding="utf-8")
    digest = (folder / "private" / "dagmail" / "dagmail-2026-12-03.txt").read_text(encoding="utf-8")
    assert "K2026-001" in digest and "Piet Proef" not in digest
    assert (folder / "private" / "analyse" / "klachtenanalyse-2026-H2.pdf").is_file()
