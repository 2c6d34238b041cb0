"""mkdocs hook: generates the public pages from klachten.toml and the register.

Registered in mkdocs.yml (``hooks: [generator/site_hook.py]``), so plain ``mkdocs build
--strict`` and ``mkdocs serve`` produce the real site. The klachten config is found through
$KLACHTEN_CONFIG or klachten.toml beside mkdocs.yml; $KLACHTEN_PEILDATUM fixes the reference
date (tests). After the build, the privacy guard scans every built file and aborts the build
when a personal value from the register appears in it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from pathlib import Path

from mkdocs.exceptions import Abort, PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # mkdocs loads hooks by path; make our packages importable
    sys.path.insert(0, str(ROOT))

from register.errors import KlachtenError  # noqa: E402

log = logging.getLogger("mkdocs.hooks.klachten")
_state: dict = {}


def _config_path(mkdocs_config) -> Path:
    env = os.environ.get("KLACHTEN_CONFIG")
    if env:
        return Path(env)
    return Path(mkdocs_config.config_file_path).resolve().parent / "klachten.toml"


def _peildatum() -> dt.date:
    from register.deadlines import today_amsterdam
    from register.parse import parse_date_text

    value = os.environ.get("KLACHTEN_PEILDATUM")
    if not value:
        return today_amsterdam()
    parsed = parse_date_text(value)
    if parsed is None:
        raise PluginError(f"KLACHTEN_PEILDATUM '{value}' is geen datum (JJJJ-MM-DD)")
    return parsed


def on_config(config):
    from register.check import check_register
    from register.config import load_config

    try:
        kcfg = load_config(_config_path(config))
        result = check_register(kcfg, _peildatum())
    except KlachtenError as exc:
        raise PluginError(f"klachten: {exc}") from None
    from generator.jaarverslag import build_reports

    reports = build_reports(result, kcfg)
    _state.clear()
    _state.update(config=kcfg, result=result, reports=reports)
    config.site_name = f"Klachten | {kcfg.organisatie.naam}"
    config.copyright = kcfg.organisatie.naam
    if kcfg.site.url:
        config.site_url = kcfg.site.url
    return config


def navigation(reports, files: Files) -> list:
    """Our pages first, then the owner's own pages from site/ (in file order)."""
    nav = [
        {"Home": "index.md"},
        {"Klachtenregeling": "klachtenregeling.md"},
        {"Klacht indienen": "klacht-indienen.md"},
        {"Jaarverslagen": ["jaarverslagen/index.md"] +
         [{f"{r.year}{' (lopend)' if r.partial else ''}": f"jaarverslagen/{r.year}.md"} for r in reversed(reports)]},
    ]
    ours = {"index.md", "klachtenregeling.md", "klacht-indienen.md"}
    own = [f.src_uri for f in files.documentation_pages()
           if f.src_uri not in ours and not f.src_uri.startswith("jaarverslagen/")]
    return nav + sorted(own)


def page_context(kcfg) -> dict:
    from generator.jaarverslag import percent, shown

    minimum = kcfg.site.minimum_aantal
    changed = kcfg.klachtbehandeling.regeling_gewijzigd
    from generator.templating import datum_nl

    return {
        "org": kcfg.organisatie, "kb": kcfg.klachtbehandeling, "t": kcfg.termijnen,
        "bewaartermijn": str(kcfg.bewaren.termijn), "escalatie": kcfg.escalatie.mogelijkheden,
        "extra_sluitingsdagen": bool(kcfg.kalender.extra_sluitingsdagen or kcfg.kalender.vrijdag_na_hemelvaart),
        "gewijzigd": datum_nl(changed) if changed else "(datum niet ingevuld)",
        "minimum": minimum, "shown": lambda n: shown(n, minimum), "percent": percent,
        "days": lambda v: "—" if v is None else f"{v:g} werkdagen".replace(".", ","),
    }


def generated_pages(kcfg, reports) -> dict[str, str | bytes]:
    """Every generated file of the site: path under docs_dir -> content."""
    from generator.jaarverslag import charts_svg
    from generator.templating import render

    context = page_context(kcfg)
    cache = kcfg.resolve(kcfg.nachtrun.map) / "cache" / "grafieken"
    pages: dict[str, str | bytes] = {}
    for name in ("index", "klachtenregeling"):
        pages[f"{name}.md"] = render(kcfg, f"site/{name}.md", **context)
    pages["klachtenformulier.pdf"] = _form_pdf(kcfg)
    pages["klacht-indienen.md"] = render(kcfg, "site/klacht-indienen.md", **context)
    pages["jaarverslagen/index.md"] = render(kcfg, "site/jaarverslagen.md", reports=reports, **context)
    charted = [(report, b) for report in reports for b in report.breakdowns + [report.outcomes] if b.rows]
    svgs = charts_svg([b for _, b in charted], kcfg.site.minimum_aantal, cache)
    for (report, breakdown), svg in zip(charted, svgs, strict=True):
        name = f"img/{report.year}-{breakdown.key}.svg"
        pages[f"jaarverslagen/{name}"] = svg
        report.charts[breakdown.key] = name
    for report in reports:
        pages[f"jaarverslagen/{report.year}.md"] = render(kcfg, "site/jaarverslag.md", r=report, **context)
    return pages


def _form_pdf(kcfg) -> bytes:
    """The public form as PDF, cached by its HTML (it holds no personal data), so a rebuild
    need not load WeasyPrint."""
    import hashlib
    import tempfile

    from generator.letters import form_job, write_pdf

    cache = kcfg.resolve(kcfg.nachtrun.map) / "cache"
    with tempfile.TemporaryDirectory() as tmp:
        job = form_job(kcfg, Path(tmp) / "klachtenformulier.pdf", public=True)
        cached = cache / f"klachtenformulier-{hashlib.sha256(job.html.encode()).hexdigest()[:20]}.pdf"
        if cached.is_file():
            return cached.read_bytes()
        write_pdf(job)
        content = job.target.read_bytes()
    cache.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(content)
    return content


def on_files(files: Files, config) -> Files:
    kcfg, reports = _state["config"], _state["reports"]
    try:
        pages = generated_pages(kcfg, reports)
    except KlachtenError as exc:
        raise PluginError(f"klachten: {exc}") from None
    for path, content in pages.items():
        existing = files.get_file_from_path(path)
        if existing is not None:  # a hand-written page in site/ wins over ours
            if path.endswith(".md"):
                continue
            files.remove(existing)
        files.append(File.generated(config, path, content=content))
    config.nav = navigation(reports, files)  # read by mkdocs right after this event
    return files


def on_post_build(config) -> None:
    from generator.privacy import find_leaks, personal_values

    kcfg, result = _state["config"], _state["result"]
    allowed = {v.lower() for v in (*kcfg.lijsten.categorieen, *kcfg.lijsten.oorzaken)}
    allowed |= {str(v).lower() for v in vars(kcfg.organisatie).values() if isinstance(v, str)}
    leaks = find_leaks(Path(config.site_dir), personal_values(result.register), allowed)
    if leaks:
        import shutil

        shutil.rmtree(config.site_dir, ignore_errors=True)  # never leave a leaking site behind
        first = leaks[0]
        files = sorted({leak.file for leak in leaks})
        raise Abort(
            f"Privacybewaking: persoonsgegevens uit het register staan in de gebouwde site "
            f"({len(leaks)} keer, in {', '.join(files[:5])}{' …' if len(files) > 5 else ''}); "
            f"bijvoorbeeld de kolom '{first.column}' van rij {first.row}. "
            f"De site is niet gepubliceerd: verwijder de gegevens uit het sjabloon of de analysetekst.")
    log.info("klachten: privacybewaking in orde (%d bestanden gecontroleerd)",
             sum(1 for _ in Path(config.site_dir).rglob("*")))
