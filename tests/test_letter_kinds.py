"""Every letter kind is declared once, completely, with a template that exists."""

import dataclasses
import datetime as dt

import pytest

from generator.letters.kinds import LETTER_KINDS, LetterKind, names_in_words
from generator.letters.render import due_letters
from generator.templating import TEMPLATES
from register.check import check_grid
from register.schema import BY_KEY
from register.sources import Grid
from tests.conftest import HEADERS, complaint


@pytest.mark.parametrize("kind", LETTER_KINDS, ids=lambda k: k.name)
def test_every_letter_kind_is_declared_completely(kind: LetterKind):
    for field in dataclasses.fields(LetterKind):
        if field.name != "recorded_in":  # None: the letter fills no date column of its own
            assert getattr(kind, field.name) not in ("", None, ()), f"{kind.name}: {field.name} is empty"
    assert kind.recorded_in is None or BY_KEY[kind.recorded_in].kind == "date"
    assert (TEMPLATES / kind.template).is_file()
    assert all(key in BY_KEY for key in kind.required)
    assert kind.noun.split()[0] in ("de", "het") and "{nr}" in kind.title
    assert kind.name in names_in_words()


def test_brief_help_names_every_kind():
    from typer.testing import CliRunner

    from generator.app.cli import app

    result = CliRunner().invoke(app, ["brief", "--help"])
    assert all(kind.name in result.output for kind in LETTER_KINDS)


def test_each_kind_decides_when_it_is_due(config):
    rows = [complaint(complaint_no="K1", received=dt.date(2026, 3, 2)),  # no acknowledgement yet
            complaint(complaint_no="K2", received=dt.date(2026, 3, 4), acknowledged=dt.date(2026, 3, 4),
                      extension_reason="onderzoek bij de leverancier"),  # decision due 18 Mar: 2 days left
            complaint(complaint_no="K3", received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 3),
                      decided=dt.date(2026, 3, 12), status="afgehandeld", outcome="ongegrond", motivation="m"),
            complaint(complaint_no="K4", received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 3),
                      decided=dt.date(2026, 3, 13), status="afgehandeld", outcome="ingetrokken"),
            complaint(complaint_no="K5", received=dt.date(2026, 1, 5), acknowledged=dt.date(2026, 1, 6),
                      decided=dt.date(2026, 1, 12), status="afgehandeld", outcome="gegrond", motivation="m")]
    result = check_grid(Grid([HEADERS] + rows, "test"), config, dt.date(2026, 3, 16))
    due, _ = due_letters(result, config, out=config.root / "nergens")
    assert sorted((result.register.frame["complaint_no"][i], kind) for i, kind in due) == [
        ("K1", "ontvangstbevestiging"), ("K1", "uitstelbericht"),  # K1 has no reason: reported, not skipped
        ("K2", "uitstelbericht"), ("K3", "standpunt"), ("K4", "intrekking")]  # K5: decided long ago
