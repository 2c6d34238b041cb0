"""`klachten init`: write a first klachten.toml from a few answers, never over an existing one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from register.config import Config, config_from_dict
from register.errors import ConfigError


@dataclass(frozen=True)
class StartAnswers:
    """What a new owner tells us; everything else keeps the declared defaults."""

    organisatie: str
    klachtverantwoordelijke: str
    email: str
    adres: str = ""
    postcode: str = ""
    plaats: str = ""
    telefoon: str = ""
    contactpersoon: str = ""
    escalatie: str = ""
    escalatie_website: str = ""
    register: str = "data/klachtenregister.xlsx"  # an .xlsx path or a Google Sheet URL/key
    tabblad: str = "Register"
    mailserver: str = ""  # 'smtp.example.nl', 'smtp.example.nl:465', or 'geen' (the digest goes to a file)

    @property
    def google(self) -> bool:
        text = self.register.strip()
        return "docs.google.com/spreadsheets" in text or (not text.lower().endswith(".xlsx") and "/" not in text
                                                         and len(text) > 30)


def _q(value: str) -> str:
    """A TOML basic string (JSON's escaping is valid TOML for basic strings)."""
    return json.dumps(value, ensure_ascii=False)


def config_text(answers: StartAnswers) -> str:
    """The klachten.toml for these answers, with Dutch comments for the owner."""
    lines = [
        "# Configuratie van klachten, gemaakt met `klachten init`.",
        "# Alle instellingen met uitleg: docs/configuratie.md of `klachten config`.",
        "# Geheimen staan hier nooit: alleen de naam van de omgevingsvariabele.",
        "",
        "[organisatie]",
        f"naam = {_q(answers.organisatie)}",
    ]
    for key in ("adres", "postcode", "plaats"):
        if value := getattr(answers, key).strip():
            lines.append(f"{key} = {_q(value)}")
    lines.append(f"email = {_q(answers.email)}")
    if answers.telefoon:
        lines.append(f"telefoon = {_q(answers.telefoon)}")
    lines += ["", "[klachtbehandeling]",
              f"klachtverantwoordelijke = {_q(answers.klachtverantwoordelijke)}",
              f"email = {_q(answers.email)}"]
    if answers.telefoon:
        lines.append(f"telefoon = {_q(answers.telefoon)}")
    if answers.contactpersoon:
        lines.append(f"contactpersoon = {_q(answers.contactpersoon)}")
    lines += ["", "[register]"]
    if answers.google:
        lines += ['bron = "google"', f"spreadsheet = {_q(answers.register.strip())}",
                  f"tabblad = {_q(answers.tabblad)}", 'credentials_env = "GOOGLE_APPLICATION_CREDENTIALS"']
    else:
        lines += ['bron = "xlsx"', f"pad = {_q(answers.register.strip())}", f"tabblad = {_q(answers.tabblad)}"]
    lines += mail_lines(answers.mailserver)
    if answers.escalatie:
        lines += ["", "[[escalatie.mogelijkheden]]", f"naam = {_q(answers.escalatie)}"]
        if answers.escalatie_website:
            lines.append(f"website = {_q(answers.escalatie_website)}")
    return "\n".join(lines) + "\n"


NO_MAIL = ("geen", "geen mail", "nee", "-")


def mail_lines(server: str) -> list[str]:
    """The [mail] table for an answer: a host, host:poort (465 means SSL), or 'geen'."""
    text = server.strip()
    if not text:
        return []
    if text.lower() in NO_MAIL:
        return ["", "[mail]", 'bezorging = "bestand"  # geen mailserver: de dagmail komt als bestand in de privémap']
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "")
    if port and not port.isdigit():
        raise ConfigError(f"mailserver '{text}': na de dubbele punt hoort een poortnummer, bijv. smtp.provider.nl:587")
    if any(c.isspace() for c in host) or not host:
        raise ConfigError(f"mailserver '{text}' is geen servernaam; geef bijv. smtp.provider.nl of 'geen'")
    lines = ["", "[mail]", f"host = {_q(host)}"]
    if port:
        lines.append(f"poort = {int(port)}")
        if port == "465":
            lines.append('beveiliging = "ssl"')
    return lines


def write_start_config(path: Path, answers: StartAnswers) -> Config:
    """Write ``path`` (refusing to overwrite) and return it loaded; the text is validated first."""
    import tomllib

    if path.exists():
        raise ConfigError(f"'{path}' bestaat al; klachten init overschrijft nooit een configuratie "
                          f"(kies een ander pad met --config of pas het bestand zelf aan)")
    text = config_text(answers)
    config_from_dict(tomllib.loads(text), path)  # a mistake in an answer is reported before anything is written
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as fh:
        fh.write(text)
    from register.config import load_config

    return load_config(path)
