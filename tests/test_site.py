import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from generator.site.build import build_site
from register.config import load_config
from register.demo import demo_rows
from register.errors import SiteError
from tests.conftest import ROOT, complaint

PEIL = dt.date(2026, 11, 21)


def read(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8") if not page.endswith(".html") \
        else (site / page).read_text(encoding="utf-8")


def text_of(html: str) -> str:
    """The text a visitor reads: tags removed, character references decoded."""
    import html as html_module

    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture(scope="module")
def demo_site(built_demo_site):
    assert PEIL == dt.date(2026, 11, 21)  # the day conftest's shared build uses
    return built_demo_site


def year_of(value) -> int:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year
    return int(re.search(r"(\d{4})\s*$", str(value)).group(1))


def test_pages_exist(demo_site):
    for page in ("index.html", "klachtenregeling", "klacht-indienen", "jaarverslagen"):
        assert (demo_site / page).exists(), page
    from pypdf import PdfReader

    form = " ".join(PdfReader(demo_site / "klachtenformulier.pdf").pages[0].extract_text().split())
    assert "Vul dit formulier in (op de computer of met de hand) en stuur het naar Installatiebedrijf Voorbeeld B.V." in form
    assert "Klachtnummer" not in form and "Urgentie" not in form  # only what a complainant knows
    assert "Uw gegevens" in form and "dezelfde dag aan" not in form
    assert (demo_site / "search" / "search_index.json").exists()
    home = text_of(read(demo_site, "index.html"))
    assert "Installatiebedrijf Voorbeeld B.V." in home


def test_klachtenregeling_states_the_configured_terms(demo_site):
    page = text_of(read(demo_site, "klachtenregeling"))
    for part in ("Ontvangstbevestiging binnen 7 werkdagen", "Ons antwoord binnen 2 weken",
                 "hooguit met 4 weken verlengd", "Wij horen beide kanten", "1 jaar nadat uw klacht is afgehandeld",
                 "Geschillencommissie (voorbeeld)", "Postbus 00000, 0000 AA Voorbeeldstad", "De rechter",
                 "laatst gewijzigd op 15 januari 2026", "M. de Wit", "recht op inzage"):
        assert part in page, part
    indienen = text_of(read(demo_site, "klacht-indienen"))
    assert "Voorbeeldstraat 12, 1234 AB Voorbeeldstad" in indienen
    assert "klachtenformulier (PDF)" in indienen


def test_jaarverslag_counts_match_an_independent_count(demo_site):
    header, *rows = demo_rows()
    idx = header.index("Datum ontvangst")
    expected = Counter(year_of(r[idx]) for r in rows if any(v is not None for v in r))
    overview = read(demo_site, "jaarverslagen")
    for year, count in expected.items():
        page = text_of(read(demo_site, f"jaarverslagen/{year}"))
        shown = str(count) if count >= 3 else "minder dan 3"
        assert f"Ontvangen klachten {shown}" in page, (year, count)
        assert f">{year}" in overview
    assert "Jaarverslag 2026 (lopend jaar)" in text_of(read(demo_site, "jaarverslagen/2026"))
    assert "tot en met 21 november 2026" in text_of(read(demo_site, "jaarverslagen/2026"))


def test_charts_are_bars_inside_their_tables(demo_site):
    """No images: each chart is its table, with a CSS bar per exact count and none for a hidden one."""
    page = read(demo_site, "jaarverslagen/2025")
    assert "<img" not in page and not list(demo_site.rglob("*.svg"))
    tables = re.findall(r'<table class="staafdiagram">(.*?)</table>', page, re.S)
    assert len(tables) == 5
    for table in tables:
        for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", table, re.S):
            number = text_of(row.split("<td>")[1])
            has_bar = 'class="staaf staaf-' in row
            assert has_bar == number.isdigit(), row
    assert "minder dan 3" in page and "niet getoond" in page


def honest_rows():
    """2024: one in June (the register's first); 2025: 10 from January to October; 2026 (to
    21 November): 12, two open and late."""
    rows = [complaint(complaint_no="K2024-001", received=dt.date(2024, 6, 3), category="product")]
    for i in range(10):
        day = dt.date(2025, 1 + i, 6)
        rows.append(complaint(complaint_no=f"K2025-{i:03d}", received=day, acknowledged=day,
                              decided=day + dt.timedelta(days=3), status="afgehandeld", outcome="gegrond",
                              category="factuur" if i < 5 else "product", channel="e-mail"))
    for i in range(12):
        day = dt.date(2026, 1 + min(i, 9), 5)
        closed = i < 10
        rows.append(complaint(complaint_no=f"K2026-{i:03d}", received=day, acknowledged=day,
                              category="garantie" if i == 0 else "product", channel="e-mail",
                              **({"decided": day + dt.timedelta(days=4), "status": "afgehandeld",
                                  "outcome": "gegrond"} if closed else {})))
    return rows


def test_figures_are_honest(make_config, tmp_path):
    cfg = make_config(rows=honest_rows())
    out, _ = build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    page = text_of(read(out, "jaarverslagen/2026"))
    # Open and past due counts as not on time, and the denominator says what it counts.
    assert ("Standpunt op tijd (binnen 2 weken, of later als wij op tijd uitstel meldden) 83% (10 van de 12 "
            "klachten die afgehandeld zijn (niet ingetrokken) of waarvan de termijn voor het standpunt voorbij is)") in page
    # Compared with the same period of last year, which had all its 10 complaints by then.
    assert "Verschil +2 (+20%) ten opzichte van dezelfde periode vorig jaar, 1 januari t/m 21 november 2025 " \
           "(10 klachten)" in page
    # The invalid 'garantie' is counted, never printed.
    assert "garantie" not in page and "niet ingedeeld minder dan 3" in page
    assert "Nog niet afgehandeld en de termijn is voorbij 2" in page  # our own lateness: always exact
    first = text_of(read(out, "jaarverslagen/2024"))
    assert "Jaarverslag 2024 (gedeeltelijk jaar)" in first
    assert "Wij houden ons klachtenregister bij sinds 3 juni 2024" in first
    assert "geen vergelijking: het register begon in juni 2024" in first
    second = text_of(read(out, "jaarverslagen/2025"))
    assert "geen vergelijking: het jaar ervoor is niet compleet in het register" in second
    assert "9 van de 10 klachten waren binnen" in second and "— (te weinig afgehandelde klachten)" not in second
    overview = text_of(read(out, "jaarverslagen"))
    assert "2026 (lopend) 12 100% 83%" in overview and "2025 10 100% 100%" in overview
    assert "2024 (gedeeltelijk) minder dan 3 — —" in overview
    assert "| Jaar |" not in read(out, "jaarverslagen")


def test_no_percentile_or_rate_over_too_few(make_config, tmp_path):
    rows = honest_rows()[1:3]
    cfg = make_config(rows=rows)
    out, _ = build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    page = text_of(read(out, "jaarverslagen/2025"))
    assert "Ontvangen klachten minder dan 3" in page
    assert "%" not in page.split("Samenvatting")[1].split("Behandelduur is")[0]
    assert "de helft van de klachten was binnen — (te weinig afgehandelde klachten)" in page
    assert "Te weinig klachten om deze verdeling te tonen." in page
    assert "(waarvan" not in page and "te laat niet getoond" not in page


def test_changing_a_term_changes_the_page(make_config, tmp_path):
    cfg = make_config('[termijnen]\nbevestiging = "5 werkdagen"\nstandpunt = "10 werkdagen"\n'
                      'buiten_regeling = "3 werkdagen"\n', rows=[complaint(received=dt.date(2026, 3, 2))])
    out, _ = build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    page = text_of(read(out, "klachtenregeling"))
    assert "Ontvangstbevestiging binnen 5 werkdagen" in page
    assert "Ons antwoord binnen 10 werkdagen" in page
    assert "In zo'n geval laten wij u binnen 3 werkdagen weten waarom" in page
    assert "7 werkdagen" not in page and "2 weken" not in page


PERSONAL = {
    "name": "Xylofoonia Quistenbergh", "address": "Zwaluwstaartpad 97b", "postcode": "8237 QZ",
    "email": "xylofoonia.q@privemail.example", "phone": "06-98765432",
    "description": "Mijn buurman Jochem zag de monteur in de tuin roken", "solution": "Excuusbrief met bloemetje bezorgd",
    "correspondence": "https://dossier.example/privé/4711", "motivation": "Verklaring van Jochem was doorslaggevend",
}


def test_no_personal_value_reaches_any_built_file(make_config, tmp_path):
    rows = []
    for n in range(12):
        values = {k: f"{v} {n}" if k in ("name", "description", "solution") else v for k, v in PERSONAL.items()}
        rows.append(complaint(complaint_no=f"K2025-{n:03d}", received=dt.date(2025, 1 + n % 12, 3),
                              acknowledged=dt.date(2025, 1 + n % 12, 4), decided=dt.date(2025, 1 + n % 12, 10),
                              status="afgehandeld", outcome="gegrond", category="factuur",
                              measure="Facturen worden dubbel gecontroleerd", **values))
    cfg = make_config(rows=rows)
    out, _ = build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    built = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "search_index.json" for p in built) and any(p.name == "sitemap.xml" for p in built)
    for path in built:
        data = path.read_bytes()
        if path.suffix == ".gz":
            import gzip

            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="ignore").lower()
        for key, value in PERSONAL.items():
            for form in {value.lower(), value.lower().replace("é", "\\u00e9")}:
                assert form not in text, (path, key)
        assert "jochem" not in text and "quistenbergh" not in text, path
    assert "Facturen worden dubbel gecontroleerd" in read(out, "jaarverslagen/2025")


def test_guard_stops_a_leaking_build(make_config, tmp_path):
    rows = [complaint(complaint_no="K1", name="Gertrude Leksmaverdi", received=dt.date(2025, 3, 2))]
    cfg = make_config(rows=rows)
    (tmp_path / "analyses").mkdir()
    (tmp_path / "analyses" / "2025.md").write_text("Mevrouw Gertrude Leksmaverdi was erg boos.", encoding="utf-8")
    with pytest.raises(SiteError) as err:
        build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    assert "Privacybewaking: persoonsgegevens uit het register staan in de gebouwde site" in str(err.value)
    assert "bijvoorbeeld de kolom 'Naam' van rij 2." in str(err.value)
    assert not (tmp_path / "out").exists()


def test_owner_analysis_is_included_and_never_overwritten(make_config, tmp_path):
    cfg = make_config(rows=[complaint(received=dt.date(2025, 3, 2))])
    analysis = tmp_path / "analyses" / "2025.md"
    analysis.parent.mkdir()
    analysis.write_text("Opvallend: de meeste klachten gingen over **planning**.", encoding="utf-8")
    out, _ = build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    assert "<strong>planning</strong>" in read(out, "jaarverslagen/2025")
    assert analysis.read_text(encoding="utf-8") == "Opvallend: de meeste klachten gingen over **planning**."


def test_plain_mkdocs_build_strict_works(tmp_path, monkeypatch):
    import subprocess
    import sys

    import yaml

    env = {**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"}
    refused = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "s")],
                             cwd=ROOT, capture_output=True, text=True, env=env)
    assert refused.returncode == 1  # the shipped config's example values are not published
    assert "klachten: de configuratie bevat nog 18 voorbeeldwaarden" in refused.stderr
    assert not (tmp_path / "s" / "index.html").exists()
    # The plugin option demo: true (what `klachten site --demo` passes) builds the demo.
    settings = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    settings["plugins"] = [{"klachten": {"demo": True, "config": str(ROOT / "klachten.toml")}} if p == "klachten"
                           else p for p in settings["plugins"]]
    settings["docs_dir"] = str(ROOT / settings.get("docs_dir", "docs"))
    settings["theme"]["custom_dir"] = str(ROOT / settings["theme"]["custom_dir"])
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "s")],
                            cwd=tmp_path, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "s" / "klachtenregeling" / "index.html").exists()


def test_escalations_are_published_by_kind_only(make_config, tmp_path):
    rows = [complaint(complaint_no=f"K{n}", received=dt.date(2025, 3, 2), escalated_to=text)
            for n, text in enumerate(["Geschillencommissie Installatie", "kantonrechter Utrecht",
                                      "advocaat mr. Geheimhouder", "geschillencommissie"])]
    cfg = make_config("[site]\nminimum_aantal = 1\n", rows=rows)
    out, _ = build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    page = text_of(read(out, "jaarverslagen/2025"))
    assert "geschilleninstantie 2" in page and "rechter 1" in page and "anders 1" in page
    assert "Geheimhouder" not in page and "Utrecht" not in page


def test_owner_pages_in_site_dir_join_the_navigation(make_config, tmp_path, monkeypatch):
    from tests.conftest import own_docs_dir

    docs = own_docs_dir(tmp_path, monkeypatch)
    (docs / "over-ons.md").write_text("# Over ons\n\nWij zijn een klein bedrijf.\n", encoding="utf-8")
    cfg = make_config(rows=[complaint(received=dt.date(2026, 3, 2))])
    out, _ = build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    home = read(out, "index.html")
    assert 'href="over-ons/"' in home and "Over ons" in text_of(read(out, "over-ons"))


def test_an_unreadable_figures_cache_is_computed_again(make_config, tmp_path):
    cfg = make_config(rows=[complaint(received=dt.date(2026, 3, 2))])
    build_site(cfg, PEIL, site_dir=tmp_path / "out", demo=True)
    caches = list(cfg.cache_dir().glob("onthulling-*.json"))
    assert caches
    for path in caches:
        path.write_text('{"half', encoding="utf-8")  # as a kill in the middle of a write would leave it
    out, _ = build_site(cfg, PEIL, site_dir=tmp_path / "out2", demo=True)
    assert (out / "jaarverslagen" / "2026" / "index.html").is_file()
    assert all(path.read_text(encoding="utf-8").startswith("{") and path.read_text(encoding="utf-8").endswith("}")
               for path in caches)


VISITOR_TOML = """
[organisatie]
naam = "Loodgieter Jansen"
adres = "Dorpsstraat 4"
postcode = "7311 AB"
plaats = "Apeldoorn"
email = "info@loodgieterjansen.nl"
[klachtbehandeling]
klachtverantwoordelijke = "Eva Jansen"
functie = "eigenaar"
email = "klachten@loodgieterjansen.nl"
telefoon = "055-521 11 22"
openingstijden = "op werkdagen van 9.00 tot 16.00 uur"
indientermijn = "binnen zes weken na het werk"
niet_behandeld = ["een klacht over werk van een andere loodgieter"]
regeling_versie = "3.1"
regeling_ingang = 2026-09-01
[termijnen]
standpunt = "3 weken"
uitstel_maximaal = "2 weken"
[bewaren]
termijn = "2 jaar"
[nachtrun]
backups_bewaren = 14
[register]
pad = "register.xlsx"
[[escalatie.mogelijkheden]]
naam = "Geschillencommissie Installatie"
website = "https://www.degeschillencommissie.nl/installatie"
"""


@pytest.fixture(scope="module")
def visitor_site(tmp_path_factory):
    from register.demo import write_xlsx
    from tests.conftest import HEADERS

    folder = tmp_path_factory.mktemp("visitor")
    write_xlsx(folder / "register.xlsx", [HEADERS, complaint(complaint_no="K1", received=dt.date(2026, 3, 2))])
    (folder / "klachten.toml").write_text(VISITOR_TOML, encoding="utf-8")
    out, _ = build_site(load_config(folder / "klachten.toml"), PEIL, site_dir=folder / "out")  # no demo needed
    return out


@pytest.mark.parametrize("page", ["index.html", "klacht-indienen"])
def test_home_and_klacht_indienen_say_whom_to_contact_how_long_and_where_next(visitor_site, page):
    built = read(visitor_site, page)
    assert '<a href="mailto:klachten@loodgieterjansen.nl">klachten@loodgieterjansen.nl</a>' in built
    assert '<a href="tel:+31555211122">055-521 11 22</a>' in built
    text = text_of(built)
    assert "Uw klacht gaat naar Eva Jansen (eigenaar), die verantwoordelijk is voor klachten." in text
    assert "Telefoon: 055-521 11 22 (op werkdagen van 9.00 tot 16.00 uur)" in text
    assert "Een klacht indienen is gratis." in text
    assert "Binnen 3 weken na ontvangst krijgt u ons antwoord" in text
    assert "hooguit 2 weken langer: in totaal nooit meer dan vijf weken na ontvangst" in text
    assert '<strong>Geschillencommissie Installatie</strong>, <a href="https://www.degeschillencommissie.nl/installatie">' in built
    for jargon in ("gemotiveerd", "wederhoor", "mediaan", "percentiel"):
        assert jargon not in text.lower(), jargon


def test_the_regeling_has_what_a_published_regeling_needs(visitor_site):
    built = read(visitor_site, "klachtenregeling")
    text = text_of(built)
    for part in ("Versie 3.1, geldt vanaf 1 september 2026.",
                 "Dien uw klacht in binnen zes weken na het werk.",
                 "Wat deze regeling niet behandelt: een klacht over werk van een andere loodgieter.",
                 "Iemand anders mag namens u klagen",
                 "Vertrouwelijk. Wij behandelen uw klacht vertrouwelijk.",
                 "Dat is ons gerechtvaardigd belang",
                 "Wij bewaren uw gegevens 2 jaar nadat uw klacht is afgehandeld, gerekend vanaf",
                 "gerekend vanaf de datum van ons antwoord.",
                 "de bewaartermijn gaat dan pas in op de dag dat de procedure eindigde.",
                 "Compensatie. Vinden wij uw klacht gegrond of deels gegrond en heeft u daardoor schade",
                 "in onze back-ups staan ze daarna nog hooguit 14 dagen",
                 "U krijgt ons antwoord dus nooit later dan vijf weken na ontvangst van uw klacht.",
                 "Dit is versie 3.1 van onze klachtenregeling. Zij geldt vanaf 1 september 2026."):
        assert part in text, part
    assert '<a href="https://www.autoriteitpersoonsgegevens.nl/">Autoriteit Persoonsgegevens</a>' in built
    assert 'href="#niet-tevreden"' in built and 'id="niet-tevreden"' in built


def test_every_page_has_a_meta_description_and_the_404_page_is_dutch(visitor_site):
    pages = sorted(visitor_site.rglob("*.html"))
    descriptions = {}
    for path in pages:
        found = re.findall(r'<meta name="description" content="([^"]+)">', path.read_text(encoding="utf-8"))
        assert len(found) == 1, path
        descriptions[path.relative_to(visitor_site).as_posix()] = found[0]
    assert descriptions["index.html"].startswith("Een klacht over Loodgieter Jansen?")
    assert descriptions["jaarverslagen/2026/index.html"].startswith("Klachten bij Loodgieter Jansen in 2026")
    assert len(set(descriptions.values())) == len(descriptions)  # each page its own
    missing = read(visitor_site, "404.html")
    assert "<h1>Deze pagina bestaat niet</h1>" in missing and "Not found" not in missing
    assert '<a href="/klacht-indienen/">Klacht indienen</a>' in missing
