import os
from pathlib import Path

import pytest

from register.config import Term, load_config, parse_term, resolve_secret
from register.errors import ConfigError


def test_defaults_follow_the_procedure(config):
    t = config.termijnen
    assert t.bevestiging == Term(7, "werkdagen")
    assert t.standpunt == Term(2, "weken")
    assert t.uitstel_maximaal == Term(4, "weken")
    assert t.waarschuwing_werkdagen == 2
    assert config.bewaren.termijn.months == 12
    assert config.escalatie.mogelijkheden[0].naam == "Testgeschillencommissie"


@pytest.mark.parametrize("text,expected,words", [
    ("7 werkdagen", Term(7, "werkdagen"), "zeven werkdagen"),
    ("1 week", Term(1, "weken"), "één week"),
    ("14 dagen", Term(14, "kalenderdagen"), "14 kalenderdagen"),
    (" 2 Weken ", Term(2, "weken"), "twee weken"),
])
def test_terms_parse_with_their_unit(text, expected, words):
    assert parse_term(text) == expected
    assert parse_term(text).in_words == words


def test_unknown_key_gets_a_hint(make_config):
    with pytest.raises(ConfigError) as err:
        make_config("[bewaren]\ntermjin = \"2 jaar\"\n")
    assert "[bewaren] onbekende sleutel 'termjin' (bedoelde u 'termijn'?)" in str(err.value)


def test_unknown_section_gets_a_hint(make_config):
    with pytest.raises(ConfigError, match=r"onbekende sectie \[termijn\] \(bedoelde u 'termijnen'\?\)"):
        make_config("[termijn]\nbevestiging = \"5 werkdagen\"\n")


def test_all_problems_are_collected(make_config):
    with pytest.raises(ConfigError) as err:
        make_config("[termijnen]\nbevestiging = \"7 maanden\"\nwaarschuwing_werkdagen = \"twee\"\n"
                    "[mail]\npoort = -1\n")
    text = str(err.value)
    assert "[termijnen] bevestiging: '7 maanden' is geen termijn" in text
    assert "[termijnen] waarschuwing_werkdagen: verwacht een geheel getal" in text
    assert "[mail] poort: moet minstens 1 zijn" in text


def test_retention_below_one_year_needs_explicit_override(make_config):
    with pytest.raises(ConfigError, match="minstens 1 jaar"):
        make_config("[bewaren]\ntermijn = \"6 maanden\"\n")
    cfg = make_config("[bewaren]\ntermijn = \"6 maanden\"\nkorter_toestaan = true\n")
    assert cfg.bewaren.termijn.months == 6


def test_secret_settings_hold_variable_names_not_values(make_config, monkeypatch):
    with pytest.raises(ConfigError, match="náám van een omgevingsvariabele"):
        make_config("[mail]\nwachtwoord_env = \"hunter2!\"\n")
    cfg = make_config("[mail]\nwachtwoord_env = \"MIJN_SMTP_WW\"\n")
    monkeypatch.setenv("MIJN_SMTP_WW", "geheim")
    assert resolve_secret(cfg.mail.wachtwoord_env, "SMTP-wachtwoord") == "geheim"
    monkeypatch.delenv("MIJN_SMTP_WW")
    with pytest.raises(ConfigError, match="zet de omgevingsvariabele MIJN_SMTP_WW"):
        resolve_secret(cfg.mail.wachtwoord_env, "SMTP-wachtwoord")


def test_missing_and_broken_files(tmp_path):
    with pytest.raises(ConfigError, match="niet gevonden"):
        load_config(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[organisatie\nnaam=", encoding="utf-8")
    with pytest.raises(ConfigError, match="geen geldig TOML-bestand"):
        load_config(bad)


def test_closed_day_ranges_expand(make_config):
    cfg = make_config("[kalender]\nextra_sluitingsdagen = [\"2026-12-28/2026-12-31\", 2026-05-15]\n")
    days = [d.isoformat() for d in cfg.kalender.extra_sluitingsdagen]
    assert days == ["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2026-05-15"]


def test_shipped_config_is_valid():
    cfg = load_config(Path(__file__).parent.parent / "klachten.toml")
    assert cfg.register.bron == "xlsx"
    assert not any("password" in str(v).lower() for v in vars(cfg.mail).values() if isinstance(v, str)
                   and not v.endswith("_PASSWORD"))
    assert os.path.basename(str(cfg.resolve(cfg.register.pad))) == "demo-register.xlsx"
