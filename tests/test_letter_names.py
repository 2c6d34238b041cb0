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


def test_numbers_alike_after_normalising_get_names_apart():
    composed = unicodedata.normalize("NFC", "K2026-é")
    decomposed = unicodedata.normalize("NFD", "K2026-é")
    numbers = [composed, decomposed, "K2026-099", "K2026/099", "K2026_099", "K2026\u2010099", "K2026\uff0d099"]
    names = [letter_filename(n, "standpunt") for n in numbers]
    assert len(set(names)) == len(numbers)
    assert len({n.casefold() for n in names}) == len(numbers)  # also where the disk ignores case
    for number, name in zip(numbers, names, strict=True):
        assert name.isascii() and number_from_filename(name) == number


@pytest.mark.parametrize("length", [199, 200, 201])
def test_200_character_numbers_make_valid_unique_names(length):
    a, b = "K" + "9" * (length - 1), "K" + "9" * (length - 2) + "8"
    name_a, name_b = letter_filename(a, "ontvangstbevestiging"), letter_filename(b, "ontvangstbevestiging")
    assert name_a != name_b
    assert len(name_a.encode()) <= 255 and len(name_b.encode()) <= 255


def test_brieven_never_lets_two_numbers_share_a_file_where_case_does_not_count(make_config, tmp_path):
    rows = [complaint(complaint_no="K2026-099", name="Anna Eerste", **BASE),
            complaint(complaint_no="k2026-099", name="Bert Tweede", **BASE),
            complaint(complaint_no="K2026-100", name="Dirk Vierde", **BASE)]
    cfg = make_config(rows=rows)
    result = runner.invoke(app, ["brieven", "--processen", "1", "--peildatum", "2026-11-17", "--config", str(cfg.path)])
    assert result.exit_code == 1
    names = sorted(p.name for p in cfg.letters_dir().glob("*.pdf"))
    assert names == ["K2026-100_ontvangstbevestiging.pdf"]
    assert ("Niet gemaakt: klacht K2026-099: de brief zou op een schijf die hoofdletters niet onderscheidt "
            "hetzelfde bestand worden als die van k2026-099; maak de klachtnummers verschillend (niet alleen in "
            "hoofdletters)") in result.stderr
    assert "Niet gemaakt: klacht k2026-099: de brief zou" in result.stderr
