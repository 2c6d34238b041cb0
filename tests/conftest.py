"""Small fixtures that build configs and registers in tmp_path."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from register.config import load_config
from register.demo import write_xlsx
from register.schema import COLUMNS

HEADERS = [c.header for c in COLUMNS]
ROOT = Path(__file__).resolve().parent.parent

BASE_TOML = """
[organisatie]
naam = "Testbedrijf B.V."
adres = "Teststraat 1"
postcode = "1000 AA"
plaats = "Teststad"
email = "info@testbedrijf.example"
telefoon = "010-0000000"

[klachtbehandeling]
klachtverantwoordelijke = "T. Tester"
email = "t.tester@testbedrijf.example"
telefoon = "010-0000001"

[register]
bron = "xlsx"
pad = "register.xlsx"
tabblad = "Register"

[[escalatie.mogelijkheden]]
naam = "Testgeschillencommissie"
adres = "Postbus 1, 9999 ZZ Nergensveen"
termijn = "binnen 12 maanden"
"""


def complaint(**values) -> list:
    """One register row in header order; keys are schema keys (received=..., status=...)."""
    defaults = {"complaint_no": "K2026-001", "received": dt.date(2026, 3, 2), "channel": "e-mail",
                "name": "Piet Proef", "description": "Monteur kwam niet opdagen", "handler": "A. Behandelaar",
                "status": "in behandeling"}
    defaults.update(values)
    unknown = set(defaults) - {c.key for c in COLUMNS}
    assert not unknown, unknown
    return [defaults.get(c.key) for c in COLUMNS]


@pytest.fixture
def make_config(tmp_path):
    """make_config(extra_toml='', rows=None) -> Config, with an .xlsx register when rows are given."""

    def factory(extra: str = "", rows: list[list] | None = None, headers: list | None = None,
                base: str = BASE_TOML):
        text = base + "\n" + extra
        (tmp_path / "klachten.toml").write_text(text, encoding="utf-8")
        if rows is not None:
            write_xlsx(tmp_path / "register.xlsx", [headers or HEADERS] + rows)
        return load_config(tmp_path / "klachten.toml")

    return factory


@pytest.fixture
def config(make_config):
    return make_config()


@pytest.fixture(autouse=True)
def _sheets_contract():
    """Fail any test that sent the Sheets fake a request the discovery document does not allow,
    even when the code under test swallowed the error."""
    from tests.sheets_fake import FakeSheets

    FakeSheets.instances.clear()
    yield
    violations = [v for fake in FakeSheets.instances for v in fake.violations]
    FakeSheets.instances.clear()
    assert not violations, violations


@pytest.fixture(scope="session")
def built_demo_site(tmp_path_factory):
    """The demo site as `klachten site --demo` builds it for 21 November 2026, built once per
    session (per worker under pytest-xdist) and shared: tests only read it, never change it."""
    from generator.site.build import build_site

    out = tmp_path_factory.mktemp("demo-site")
    build_site(load_config(ROOT / "klachten.toml"), dt.date(2026, 11, 21), site_dir=out, demo=True)
    return out


#: Debian's chromium, headless, for the tests that open the built site in a real browser.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def own_docs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of our site/ folder in tmp_path, with an mkdocs.yml pointing at it that the site
    build uses: a checkout of the owner's own, for tests that add files to the site folder."""
    import generator.site.build as site_module

    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "site", docs)
    yml = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("docs_dir: site", f"docs_dir: {docs}")
    yml = yml.replace("custom_dir: templates/theme", f"custom_dir: {ROOT / 'templates' / 'theme'}")
    (tmp_path / "mkdocs.yml").write_text(yml, encoding="utf-8")
    monkeypatch.setattr(site_module, "MKDOCS_YML", tmp_path / "mkdocs.yml")
    return docs
