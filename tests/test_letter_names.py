"""Letter file names: numbers that collide after normalising (case, Unicode forms), numbers
holding path characters, and 200-character numbers never overwrite another complaint's letter
or escape the letters folder."""

import datetime as dt
import unicodedata

import pytest
from typer.testing import CliRunner

from generator.app.cli import app
from generator.letters.render import letter_filename, number_from_filename
from tests.conftest import complaint

runner = CliRunner()
BASE = dict(received=dt.date(2026, 11, 16), handler="S. Jansen", address="Weg 1", postcode="1234 AB", city="Stad")

PATHS = ["../../etc/passwd", "..\\..\\boot.ini", "/tmp/x", "C:\\x", "K2026/../099", "K2026\x00099", ".", "~root",
         "K2026:099", "K2026|099", "K2026?*099"]


@pytest.mark.parametrize("number", PATHS)
def test_path_characters_never_leave_the_folder(number, tmp_path):
    name = letter_filename(number, "standpunt")
    assert "/" not in name and "\\" not in name and "\x00" not in name and ":" not in name
    assert not name.startswith((".", "~"))
    assert (tmp_path / name).resolve().parent == tmp_path.resolve()
    assert number_from_filename(name) == number


def test_numbers_alike_after_normalising_get_names_apart_even_without_case():
    composed = unicodedata.normalize("NFC", "K2026-é")
    decomposed = unicodedata.normalize("NFD", "K2026-é")
    numbers = [composed, decomposed, "K2026-099", "k2026-099", "K2026\u2010099", "K2026\uff0d099"]
    names = [letter_filename(n, "standpunt") for n in numbers]
    assert len(set(names)) == len(numbers)
    # On a case-insensitive disk (Windows, macOS) two of these would be one file.
    assert len({unicodedata.normalize("NFC", n).casefold() for n in names}) == len(numbers)
    for number, name in zip(numbers, names, strict=True):
        assert name.isascii() and number_from_filename(name) == number


@pytest.mark.parametrize("length", [199, 200, 201])
def test_200_character_numbers_make_valid_unique_names(length):
    a, b = "K" + "9" * (length - 1), "K" + "9" * (length - 2) + "8"
    name_a, name_b = letter_filename(a, "ontvangstbevestiging"), letter_filename(b, "ontvangstbevestiging")
    assert name_a != name_b
    assert len(name_a.encode()) <= 255 and len(name_b.encode()) <= 255


def test_brieven_keeps_numbers_that_differ_in_case_apart_on_disk(make_config, tmp_path):
    rows = [complaint(complaint_no="K2026-099", name="Anna Eerste", **BASE),
            complaint(complaint_no="k2026-099", name="Bert Tweede", **BASE),
            complaint(complaint_no="K2026-100", name="Dirk Vierde", **BASE)]
    cfg = make_config(rows=rows)
    result = runner.invoke(app, ["brieven", "--processen", "1", "--peildatum", "2026-11-17", "--config", str(cfg.path)])
    names = sorted(p.name for p in cfg.letters_dir().glob("*.pdf"))
    # Two names that differ only in case would be one file on a case-insensitive disk.
    assert len({n.casefold() for n in names}) == len(names)
    assert "K2026-100_ontvangstbevestiging.pdf" in names
    assert result.exit_code in (0, 1)
