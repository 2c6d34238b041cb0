"""The public pages' content: what each generated page says and in which order they appear.

The mkdocs plugin (plugin.py) only hooks this into the build: :func:`generated_pages` gives every
generated file, :func:`navigation` the menu, :func:`page_description` each page's meta
description. The contact the pages name is register.contact.contact(), the same one the letters
and the public form name.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from register.contact import contact
from register.files import write_atomic

if TYPE_CHECKING:
    from mkdocs.structure.files import Files

    from register.config import Config


def refuse_examples(kcfg: Config, demo: bool) -> None:
    """Stop the build when the config still holds example values, unless this is a demo
    (``klachten site --demo``, [site] demo = true, or the plugin option ``demo: true``)."""
    from register.config import example_values
    from register.errors import SiteError

    examples = example_values(kcfg)
    if examples and not (demo or kcfg.site.demo):
        raise SiteError(f"de configuratie bevat nog {len(examples)} voorbeeldwaarden (zoals {examples[0]}); "
                        "vul uw eigen gegevens in (klachten config toont ze alle), of bouw een demo met "
                        "klachten site --demo")


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


def page_description(kcfg, src_uri: str, title: str | None) -> str:
    """The meta description of a page: what it offers a visitor, in one sentence."""
    org, t = kcfg.organisatie.naam, kcfg.termijnen
    fixed = {
        "index.md": f"Een klacht over {org}? Zo dient u die gratis in, zo snel krijgt u antwoord, "
                    "en hier kunt u terecht als u het niet met ons eens bent.",
        "klacht-indienen.md": f"Zo dient u een klacht in bij {org}: per e-mail, telefoon, brief of formulier. "
                              f"Gratis, en binnen {t.standpunt} antwoord.",
        "klachtenregeling.md": f"De klachtenregeling van {org}: termijnen, wie uw klacht behandelt, "
                               "wat u kunt doen als u het niet eens bent, en wat wij met uw gegevens doen.",
        "jaarverslagen/index.md": f"De jaarverslagen over klachten bij {org}: aantallen, termijnen en wat wij leerden.",
        "404.md": f"Deze pagina bestaat niet (meer) op de klachtensite van {org}; kijk op Home of Klacht indienen.",
    }
    if src_uri in fixed:
        return fixed[src_uri]
    year = src_uri.removeprefix("jaarverslagen/").removesuffix(".md")
    if src_uri.startswith("jaarverslagen/") and year.isdigit():
        return (f"Klachten bij {org} in {year}: hoeveel, waarover, hoe snel wij antwoordden "
                "en wat wij ervan leerden. Alleen totalen.")
    return f"{title or 'Klachten'}: {org}"


def longest_duration(t) -> str:
    """The longest a complaint can take: the decision term plus the longest extension, in words."""
    from register.config import Term

    if t.standpunt.unit == t.uitstel_maximaal.unit:
        return Term(t.standpunt.amount + t.uitstel_maximaal.amount, t.standpunt.unit).in_words
    return f"{t.standpunt.in_words} plus {t.uitstel_maximaal.in_words}"


def page_context(kcfg) -> dict:
    from generator.site.jaarverslag import P90_MINIMUM, getal

    minimum = kcfg.site.minimum_aantal
    changed = kcfg.klachtbehandeling.regeling_gewijzigd
    from generator.templating import datum_nl

    kb, t = kcfg.klachtbehandeling, kcfg.termijnen
    effective = kb.regeling_ingang or changed
    return {
        "org": kcfg.organisatie, "kb": kcfg.klachtbehandeling, "t": kcfg.termijnen,
        # the online form is offered only when its responses land in the register (a Google Sheet)
        "webformulier": kcfg.intake.formulier if kcfg.register.bron == "google" else "",
        "contact": contact(kcfg), "langste_duur": longest_duration(t),
        "ingang": datum_nl(effective) if effective else "",
        "backups_dagen": kcfg.nachtrun.backups_bewaren,
        "ap_url": "https://www.autoriteitpersoonsgegevens.nl/",
        "bewaartermijn": str(kcfg.bewaren.termijn), "escalatie": kcfg.escalatie.mogelijkheden,
        "extra_sluitingsdagen": bool(kcfg.kalender.extra_sluitingsdagen or kcfg.kalender.vrijdag_na_hemelvaart),
        "gewijzigd": datum_nl(changed) if changed else "(datum niet ingevuld)",
        "minimum": minimum, "p90_minimum": P90_MINIMUM,
        "days": lambda v: "— (te weinig afgehandelde klachten)" if v is None else f"{getal(v)} werkdagen",
    }


def generated_pages(kcfg, reports) -> dict[str, str | bytes]:
    """Every generated file of the site: path under docs_dir -> content."""
    from generator.templating import render

    context = page_context(kcfg)
    pages: dict[str, str | bytes] = {}
    for name in ("index", "klachtenregeling"):
        pages[f"{name}.md"] = render(kcfg, f"site/{name}.md", **context)
    pages["klachtenformulier.pdf"] = _form_pdf(kcfg)
    pages["klacht-indienen.md"] = render(kcfg, "site/klacht-indienen.md", **context)
    pages["jaarverslagen/index.md"] = render(kcfg, "site/jaarverslagen.md", reports=reports, **context)
    for report in reports:
        pages[f"jaarverslagen/{report.year}.md"] = render(kcfg, "site/jaarverslag.md", r=report,
                                                          reports=reports, **context)
    return pages


def _form_pdf(kcfg) -> bytes:
    """The public form as PDF, cached by its HTML (it holds no personal data), so a rebuild
    need not load WeasyPrint."""
    import hashlib
    import tempfile

    from generator.letters.render import form_job, write_pdf

    cache = kcfg.cache_dir()
    with tempfile.TemporaryDirectory() as tmp:
        job = form_job(kcfg, Path(tmp) / "klachtenformulier.pdf", public=True)
        cached = cache / f"klachtenformulier-{hashlib.sha256(job.html.encode()).hexdigest()[:20]}.pdf"
        if cached.is_file():
            return cached.read_bytes()
        write_pdf(job)
        content = job.target.read_bytes()
    write_atomic(cached, content)  # never half a PDF in the cache
    return content
