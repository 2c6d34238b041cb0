"""The docs match the code: every command has Dutch help and is in the README."""

import re

import pytest
from typer.testing import CliRunner

from generator.app.cli import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(c.name for c in app.registered_commands)


def test_there_are_commands():
    assert "controleer" in COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_documented(command):
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert f"klachten {command}" in README, f"README does not mention 'klachten {command}'"
    cmd = next(c for c in app.registered_commands if c.name == command)
    assert cmd.callback.__doc__ and cmd.callback.__doc__.strip()


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = re.search(r"```(?:sh|bash)\n([^\n]*\.venv/bin/python -m pytest[^\n]*)\n```", README).group(1)
    assert test_cmd in ci.splitlines()


def test_every_config_section_is_documented():
    from register.config import SCHEMA

    docs = (ROOT / "docs" / "configuratie.md").read_text(encoding="utf-8")
    for section, options in SCHEMA.items():
        assert f"[{section}]" in docs
        for key in options:
            assert f"`{key}`" in docs, f"{section}.{key}"


def test_generated_docs_are_up_to_date():
    from register.docs import config_doc, register_doc

    assert (ROOT / "docs" / "configuratie.md").read_text(encoding="utf-8") == config_doc(), \
        "run: python -m register.docs"
    assert (ROOT / "docs" / "register.md").read_text(encoding="utf-8") == register_doc(), \
        "run: python -m register.docs"


def test_readme_starts_with_the_two_commands_and_the_owners_guide():
    """The set-up command and the test command come first, then the owner's path, in order."""
    first = README.index("```sh\nbash install.sh && .venv/bin/klachten nachtrun --droog\n```")
    test = README.index("```sh\nbash install.sh --test && .venv/bin/python -m pytest\n```")
    steps = [README.index(heading) for heading in (
        "### 1. De code halen", "git clone", "### 2. Installeren", "### 3. Uw eigen map beginnen", "klachten init",
        "### 4. Invullen en controleren", "### 5. Brieven", "### 6. De website", "### 7. De dagmail",
        "### 8. Inplannen", "### 9. Een Google Sheet")]
    assert first < test < steps[0] and steps == sorted(steps)
    assert README.index("## Alle commando's") > steps[-1]
    assert len(README.splitlines()) <= 280


def test_every_docs_file_is_linked_from_the_readme_and_every_link_exists():
    linked = set(re.findall(r"\]\((docs/[^)#]+\.md)(?:#[^)]*)?\)", README))
    present = {f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")}
    assert linked == present, (sorted(present - linked), sorted(linked - present))
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)(?:#[^)]*)?\)", README):
        assert (ROOT / target).exists(), target


def test_docs_links_resolve():
    """Relative links inside docs/ point at files that exist (the moved reference kept its links)."""
    for page in (ROOT / "docs").glob("*.md"):
        for target in re.findall(r"\]\(((?!https?:|mailto:|#)[^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).resolve().exists(), (page.name, target)
