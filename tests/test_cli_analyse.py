"""`klachten analyse`: the report as HTML and PDF in the private folder, never on the site;
`--vastleggen` records the review and silences the reminder."""

import datetime as dt
import json
import subprocess

import pytest
from typer.testing import CliRunner

from generator.app.cli import app
from tests.conftest import complaint

runner = CliRunner()
CLOSED = {"status": "afgehandeld", "outcome": "gegrond"}
ROWS = [
    complaint(complaint_no="K2026-001", received=dt.date(2026, 2, 2), acknowledged=dt.date(2026, 2, 3),
              decided=dt.date(2026, 2, 10), name="Karel Klager", email="karel@voorbeeld.nl", category="factuur",
              cause="kwaliteit", satisfied="ja", compensation_amount="49,95", solution="Factuur gecorrigeerd",
              measure="Factuurcontrole door een tweede collega", **CLOSED),
    complaint(complaint_no="K2026-002", received=dt.date(2026, 5, 4), name="Karel Klager",
              email="KAREL@voorbeeld.nl", category="factuur", cause="kwaliteit", urgency=6),
]


def invoke(*args):
    return runner.invoke(app, ["analyse", *args])


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_report_is_written_to_the_private_folder(make_config, tmp_path):
    cfg = make_config(rows=ROWS)
    result = invoke("--periode", "2026-H1", "--peildatum", "2026-07-10", "--config", str(cfg.path))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "private" / "analyse"
    pdf, html = folder / "klachtenanalyse-2026-H1.pdf", folder / "klachtenanalyse-2026-H1.html"
    assert result.stdout.startswith(f"Analyse eerste halfjaar 2026 geschreven: {pdf} (")
    text = " ".join(pdf_text(pdf).split())
    assert "Klachtenanalyse eerste halfjaar 2026" in text
    assert "Intern: dit rapport bevat persoonsgegevens" in text
    assert "tweede halfjaar 2025 eerste halfjaar 2026" in text
    # K2026-002 is open and overdue (due 18 May): counted as late, not left out.
    assert "Standpunt op tijd – 50% (1 van 2)" in text
    assert "Tevreden (van wie ja of nee antwoordde) – 100% (1 van 1)" in text
    assert "Doorlooptijd tot standpunt in werkdagen, mediaan – 6 werkdagen" in text  # 2 to 10 February
    assert "€ 49,95 (1 klacht)" in text
    assert "Karel Klager (zelfde e-mail): K2026-001, 2 februari 2026" in text
    assert "K2026-001 (10 februari 2026, gegrond): Factuur gecorrigeerd" in text
    assert "Nog niet vastgelegd" in text
    page = html.read_text(encoding="utf-8")
    assert "<svg" in page and "Ontvangen klachten per halfjaar" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # no network resources
    assert not (tmp_path / "public").exists() and not (tmp_path / "site").exists()


def test_default_period_is_the_last_ended_half_year(make_config, tmp_path):
    cfg = make_config(rows=ROWS)
    result = invoke("--peildatum", "2026-07-01", "--config", str(cfg.path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "private" / "analyse" / "klachtenanalyse-2026-H1.pdf").exists()


def test_vastleggen_records_the_review_and_ends_the_reminder(make_config, tmp_path):
    cfg = make_config(rows=ROWS)

    def reminders():
        out = runner.invoke(app, ["controleer", "--json", "--peildatum", "2026-07-10", "--config", str(cfg.path)])
        return json.loads(out.stdout)["herinneringen"]

    assert [r["periode"] for r in reminders()] == ["2026-H1"]
    result = invoke("--vastleggen", "--peildatum", "2026-07-10", "--config", str(cfg.path))
    assert result.exit_code == 0, result.output
    recorded = tmp_path / "private" / "analyse" / "vastgelegd.json"
    assert f"Vastgelegd op 10 juli 2026 in {recorded}." in result.stdout
    assert json.loads(recorded.read_text(encoding="utf-8")) == [{"periode": "2026-H1", "vastgelegd": "2026-07-10"}]
    assert reminders() == []
    text = " ".join(pdf_text(tmp_path / "private" / "analyse" / "klachtenanalyse-2026-H1.pdf").split())
    assert "Deze analyse is vastgelegd op 10 juli 2026 (2026-H1)." in text


def test_vastleggen_of_a_running_period_warns(make_config):
    cfg = make_config(rows=ROWS)
    result = invoke("--periode", "2026", "--vastleggen", "--peildatum", "2026-07-10", "--config", str(cfg.path))
    assert result.exit_code == 0
    assert result.stderr == ("Let op: 2026 is nog niet voorbij; alleen de halfjaren die al voorbij zijn gelden "
                             "als geanalyseerd.\n")


def test_bad_period_exits_2(make_config):
    cfg = make_config(rows=ROWS)
    result = invoke("--periode", "2026-H3", "--config", str(cfg.path))
    assert result.exit_code == 2
    assert result.stderr == "Fout: ongeldige periode '2026-H3'; gebruik bijvoorbeeld 2026-H2, 2026 of 2024-2026\n"


def test_refuses_a_private_folder_inside_the_site(make_config, tmp_path):
    cfg = make_config('[nachtrun]\nmap = "public/prive"\n', rows=ROWS)
    result = invoke("--vastleggen", "--peildatum", "2026-07-10", "--config", str(cfg.path))
    assert result.exit_code == 2
    assert result.stderr == (f"Fout: de analyse bevat persoonsgegevens en mag niet in {tmp_path / 'public'} "
                             "komen; kies voor [nachtrun] map een map buiten de website\n")
    assert not (tmp_path / "public").exists()


def test_unreadable_review_file_is_one_dutch_line(make_config, tmp_path):
    cfg = make_config(rows=ROWS)
    (tmp_path / "private" / "analyse").mkdir(parents=True)
    (tmp_path / "private" / "analyse" / "vastgelegd.json").write_text("{kapot", encoding="utf-8")
    result = invoke("--peildatum", "2026-07-10", "--config", str(cfg.path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Fout: {tmp_path / 'private' / 'analyse' / 'vastgelegd.json'}: onleesbaar (")
    assert "Traceback" not in result.output


def test_empty_register_still_gives_a_report(make_config, tmp_path):
    cfg = make_config(rows=[])
    result = invoke("--periode", "2026", "--peildatum", "2026-07-10", "--config", str(cfg.path))
    assert result.exit_code == 0, result.output
    text = " ".join(pdf_text(tmp_path / "private" / "analyse" / "klachtenanalyse-2026.pdf").split())
    assert "0 klachten in het register" in text and "Er zijn geen open klachten." in text
    assert "Geen klager met meer dan één klacht in deze periode." in text


def test_site_build_refuses_a_copied_report(make_config, tmp_path, monkeypatch):
    """Even with nothing personal left in the register, a review copied into site/ stops the build."""
    import shutil

    from generator.site.build import build_site
    from register.errors import SiteError
    from tests.conftest import own_docs_dir

    cfg = make_config(rows=ROWS)
    assert invoke("--peildatum", "2026-07-10", "--config", str(cfg.path)).exit_code == 0
    docs = own_docs_dir(tmp_path, monkeypatch)
    shutil.copy(tmp_path / "private" / "analyse" / "klachtenanalyse-2026-H1.html", docs / "overzicht.html")
    other = make_config(rows=[complaint(received=dt.date(2026, 3, 2))])  # nothing of Karel in this register
    with pytest.raises(SiteError) as err:
        build_site(other, dt.date(2026, 7, 10), site_dir=tmp_path / "out", demo=True)
    assert str(err.value) == ("website niet gebouwd: Privacybewaking: de interne klachtenanalyse staat in de "
                              "gebouwde site (overzicht.html); de site is niet gepubliceerd. Verwijder het "
                              "bestand uit docs/: het rapport hoort alleen in de privémap.")
    assert not (tmp_path / "out").exists()


def test_every_missed_half_year_is_reminded(make_config):
    rows = ROWS + [complaint(complaint_no="K2025-001", received=dt.date(2025, 3, 3), acknowledged=dt.date(2025, 3, 4),
                             decided=dt.date(2025, 3, 10), method="schriftelijk", **CLOSED)]
    cfg = make_config(rows=rows)

    def reminders():
        out = runner.invoke(app, ["controleer", "--json", "--peildatum", "2026-07-10", "--config", str(cfg.path)])
        return [r["periode"] for r in json.loads(out.stdout)["herinneringen"]]

    # 2025-H1 and 2026-H1 had complaints; 2025-H2 had none and is not asked for.
    assert reminders() == ["2025-H1", "2026-H1"]
    assert invoke("--periode", "2026-H1", "--vastleggen", "--peildatum", "2026-07-10",
                  "--config", str(cfg.path)).exit_code == 0
    assert reminders() == ["2025-H1"]  # the earlier one is not dropped


def test_recorded_measures_are_kept_and_shown_with_their_effect_next_time(make_config, tmp_path):
    cfg = make_config(rows=ROWS)
    measures = "Facturen worden voortaan door een tweede collega gecontroleerd."
    result = invoke("--periode", "2026-H1", "--vastleggen", "--maatregelen", measures, "--peildatum", "2026-07-10",
                    "--config", str(cfg.path))
    assert result.exit_code == 0, result.output
    recorded = json.loads((tmp_path / "private" / "analyse" / "vastgelegd.json").read_text(encoding="utf-8"))
    assert recorded == [{"periode": "2026-H1", "vastgelegd": "2026-07-10", "maatregelen": measures}]
    text = " ".join(pdf_text(tmp_path / "private" / "analyse" / "klachtenanalyse-2026-H1.pdf").split())
    assert f"Besloten maatregelen (10 juli 2026): {measures}" in text
    # The next half-year's report shows them next to the figures then and now.
    nxt = invoke("--periode", "2026-H2", "--peildatum", "2027-01-10", "--config", str(cfg.path))
    assert nxt.exit_code == 0, nxt.output
    html = (tmp_path / "private" / "analyse" / "klachtenanalyse-2026-H2.html").read_text(encoding="utf-8")
    assert "Maatregelen uit eerdere analyses" in html
    assert measures in html
    # 2026-H1: 2 received, standpunt on time 1 of 2 (50%); 2026-H2: none received.
    assert ('<td class="n" data-label="Ontvangen toen / nu">2 / 0</td>'
            '<td class="n" data-label="Standpunt op tijd toen / nu">50% / –</td>') in html


def test_measures_need_vastleggen(make_config):
    cfg = make_config(rows=ROWS)
    result = invoke("--maatregelen", "iets", "--peildatum", "2026-07-10", "--config", str(cfg.path))
    assert result.exit_code == 2
    assert result.stderr == "Fout: --maatregelen hoort bij --vastleggen: leg de analyse vast met de maatregelen\n"


def test_late_notices_are_counted_apart(make_config, tmp_path):
    # Received Mon 2 March 2026: decision due Mon 16 March. A notice on the 13th is in time, one on
    # the 16th itself and one on the 17th are late.
    rows = [complaint(complaint_no=f"K{n}", received=dt.date(2026, 3, 2), acknowledged=dt.date(2026, 3, 3),
                      extension_sent=sent, extension_reason="Onderzoek", extended_until=dt.date(2026, 4, 1))
            for n, sent in enumerate((dt.date(2026, 3, 13), dt.date(2026, 3, 16), dt.date(2026, 3, 17)))]
    cfg = make_config(rows=rows)
    assert invoke("--periode", "2026-H1", "--peildatum", "2026-07-10", "--config", str(cfg.path)).exit_code == 0
    html = (tmp_path / "private" / "analyse" / "klachtenanalyse-2026-H1.html").read_text(encoding="utf-8")
    # Columns: second half of 2025 (none), first half of 2026 (the three).
    assert ('<tr><td>Uitstelbericht te laat (op of na de laatste dag van de termijn)</td>'
            '<td class="n" data-label="tweede halfjaar 2025">0</td>'
            '<td class="n eigen" data-label="eerste halfjaar 2026">2</td></tr>') in html
