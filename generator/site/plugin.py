"""The mkdocs plugin that generates the public pages from klachten.toml and the register.

``mkdocs.yml`` names it (``plugins: [klachten]``, registered as an entry point), so plain
``mkdocs build --strict`` and ``mkdocs serve`` produce the real site: the plugin then reads the
klachten config itself (``config`` option, else klachten.toml beside mkdocs.yml) and checks the
register as of today. ``klachten site`` and the nightly run hand the same plugin object the
validated config, the check result and the reference date instead (:meth:`KlachtenPlugin.provide`),
so the register is read once. After the build the privacy guard scans every built file and
aborts the build when a personal value from the register appears in it.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import config_options
from mkdocs.config.base import Config as MkConfig
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from generator.site.pages import generated_pages, navigation, page_description, refuse_examples
from register.errors import KlachtenError

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from register.check import CheckResult
    from register.config import Config

log = logging.getLogger("mkdocs.plugins.klachten")


class KlachtenPluginConfig(MkConfig):
    config = config_options.Optional(config_options.Type(str))  # path to klachten.toml
    peildatum = config_options.Optional(config_options.Type(str))  # JJJJ-MM-DD; default today
    demo = config_options.Type(bool, default=False)  # may publish the shipped example values


class KlachtenPlugin(BasePlugin[KlachtenPluginConfig]):
    """Generates Home, Klachtenregeling, Klacht indienen and the Jaarverslagen; guards privacy."""

    def __init__(self) -> None:
        super().__init__()
        self.kconfig: Config | None = None
        self.result: CheckResult | None = None
        self.reports: Any = None  # generator.site.jaarverslag.Reports, made in on_config
        self._provided = False
        self.demo = False

    def provide(self, kconfig: Config, result: CheckResult, demo: bool = False) -> None:
        """Build from this config and check result (``result.peildatum`` is the reference date);
        ``demo``: publish even when example values of the shipped klachten.toml are in place."""
        self.kconfig, self.result, self._provided, self.demo = kconfig, result, True, demo

    def _load(self, mkdocs_config: MkDocsConfig) -> None:
        from register.check import check_register
        from register.config import find_config, load_config
        from register.dates import parse_iso_date
        from register.deadlines import today_amsterdam

        path = self.config.config
        if path is None:
            beside = Path(mkdocs_config.config_file_path or "mkdocs.yml").resolve().parent / "klachten.toml"
            path = str(beside if beside.is_file() else find_config())
        day = parse_iso_date(self.config.peildatum, "peildatum") if self.config.peildatum else today_amsterdam()
        self.kconfig = load_config(path)
        self.result = check_register(self.kconfig, day)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            if not self._provided:
                self._load(config)
            assert self.kconfig is not None and self.result is not None
            refuse_examples(self.kconfig, self.demo or self.config.demo)
            from generator.site.jaarverslag import build_reports

            self.reports = build_reports(self.result, self.kconfig)
            for note in self.reports.notes:
                log.info("klachten: let op: %s", note)
        except KlachtenError as exc:
            raise PluginError(f"klachten: {exc}") from None
        kcfg = self.kconfig
        # The theme prints both unescaped (in <title>, attributes, the footer): HTML-escape them.
        config.site_name = html.escape(f"Klachten | {kcfg.organisatie.naam}")
        config.copyright = html.escape(kcfg.organisatie.naam)
        # Pages without their own description (the 404 page) get this one.
        config.site_description = html.escape(page_description(kcfg, "404.md", None))
        if kcfg.site.url:
            # mkdocs takes the path of site_url as the root of the 404 page's links and assets.
            config.site_url = kcfg.site.url.rstrip("/") + "/"
        else:
            log.info("klachten: let op: [site] url is leeg; de sitemap blijft leeg en de foutpagina (404) "
                     "werkt alleen als de site in de hoofdmap van het domein staat")
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.kconfig is not None
        try:
            pages = generated_pages(self.kconfig, self.reports)
        except KlachtenError as exc:
            raise PluginError(f"klachten: {exc}") from None
        for path, content in pages.items():
            existing = files.get_file_from_path(path)
            if existing is not None:  # a hand-written page in site/ wins over ours
                if path.endswith(".md"):
                    continue
                files.remove(existing)
            files.append(File.generated(config, path, content=content))
        config.nav = navigation(self.reports, files)  # read by mkdocs right after this event
        return files

    def on_page_markdown(self, markdown: str, *, page: Any, config: MkDocsConfig, files: Files) -> str:
        """Every page gets a meta description (mkdocs-material prints page.meta.description),
        HTML-escaped here because the theme prints it unescaped."""
        if self.kconfig is not None and not page.meta.get("description"):
            page.meta["description"] = html.escape(page_description(self.kconfig, page.file.src_uri, page.title))
        return markdown

    # Last of every plugin's on_post_build: a plugin listed after ours that writes into the
    # built site is still checked (mkdocs runs higher priorities first; the default is 0).
    @event_priority(-100)
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        import shutil

        from generator.site.guard_cache import CheckedFiles
        from generator.site.privacy import (
            REMEMBERED,
            Unreadable,
            find_leaks,
            package_copies,
            personal_values,
            private_reports,
        )
        from register.personal import remembered
        from register.schema import BY_KEY

        assert self.kconfig is not None and self.result is not None
        site_dir = Path(config.site_dir)
        if reports := private_reports(site_dir):
            shutil.rmtree(site_dir, ignore_errors=True)
            raise Abort(f"Privacybewaking: de interne klachtenanalyse staat in de gebouwde site "
                        f"({', '.join(reports[:5])}); de site is niet gepubliceerd. Verwijder het bestand "
                        f"uit {Path(config.docs_dir).name}/: het rapport hoort alleen in de privémap.")
        allowed = own_words(self.kconfig)
        values, kept = personal_values(self.result.register), remembered(self.kconfig.private_dir())
        checked = CheckedFiles(self.kconfig.cache_dir(), values, allowed, kept)
        known = checked.unchanged(site_dir, frozenset())
        built = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}
        # Theme files identical to their package (by RECORD) are looked up only when needed.
        packaged = frozenset() if built <= known else package_copies(site_dir, config.theme.dirs)
        try:
            leaks = find_leaks(site_dir, values, allowed, kept, known | packaged)
        except Unreadable as exc:
            shutil.rmtree(site_dir, ignore_errors=True)  # never leave an unchecked site behind
            raise Abort(f"Privacybewaking: {exc}; de site is niet gepubliceerd. Verwijder het bestand uit "
                        f"{Path(config.docs_dir).name}/ of zet er een leesbare versie neer.") from None
        if leaks:
            shutil.rmtree(site_dir, ignore_errors=True)  # never leave a leaking site behind
            first = leaks[0]
            files = sorted({leak.file for leak in leaks})
            where = ("een gegeven van een geanonimiseerde klacht" if first.column == REMEMBERED
                     else f"de kolom '{BY_KEY[first.column].header}' van rij {first.row}")
            raise Abort(
                f"Privacybewaking: persoonsgegevens uit het register staan in de gebouwde site "
                f"({len(leaks)} keer, in {', '.join(files[:5])}{' …' if len(files) > 5 else ''}); "
                f"bijvoorbeeld {where}. "
                f"De site is niet gepubliceerd: verwijder de gegevens uit het sjabloon, de analysetekst "
                f"of het bestand.")
        checked.remember(site_dir, frozenset())  # package copies too: clean by their RECORD hash
        log.info("klachten: privacybewaking in orde (%d bestanden gecontroleerd)",
                 sum(1 for _ in site_dir.rglob("*")))


def own_words(kcfg) -> frozenset[str]:
    """Normalised words we publish ourselves: the config's names and lists, our templates, the
    theme's Dutch interface texts and the month names. A single word among them is never
    counted as a leak (a complainant called 'Termijn' cannot block the regulation)."""
    from dataclasses import fields, is_dataclass

    from generator.templating import TEMPLATES
    from register.personal import common_words
    from register.schema import URGENCY_LABELS

    texts: list[str] = [*kcfg.lijsten.categorieen, *kcfg.lijsten.oorzaken, *URGENCY_LABELS.values(),
                        "januari februari maart april mei juni juli augustus september oktober november december"]
    for section in (kcfg.organisatie, kcfg.klachtbehandeling, *kcfg.escalatie.mogelijkheden):
        if is_dataclass(section):
            texts.extend(str(getattr(section, f.name)) for f in fields(section)
                         if isinstance(getattr(section, f.name), str))
    for folder in (TEMPLATES / "site", TEMPLATES / "theme"):
        texts.extend(p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file())
    try:
        import material

        texts.append((Path(material.__file__).parent / "templates/partials/languages/nl.html").read_text(encoding="utf-8"))
    except (ImportError, OSError):
        pass
    return common_words(texts)
