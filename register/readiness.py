"""What the config still lacks for each use: letters, the website and the daily mail.

One declaration per use: the settings it cannot do without. `klachten config` reads it and says
"in orde" only when every use can be made; example values of the shipped klachten.toml count as
missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from register.config import SCHEMA, Config, example_values


@dataclass(frozen=True)
class Use:
    """One thing the owner makes from the config, and the settings it needs."""

    name: str  # Dutch, as `klachten config` shows it
    needs: tuple[tuple[str, str], ...]  # (section, key) that must be filled in
    sections: tuple[str, ...]  # example values in these sections block this use


_ADDRESS = (("organisatie", "naam"), ("organisatie", "adres"), ("organisatie", "postcode"),
            ("organisatie", "plaats"))

USES: tuple[Use, ...] = (
    Use("brieven", _ADDRESS + (("organisatie", "email"), ("klachtbehandeling", "klachtverantwoordelijke")),
        ("organisatie", "klachtbehandeling", "escalatie", "brieven")),
    Use("site", _ADDRESS + (("organisatie", "email"),), ("organisatie", "klachtbehandeling", "escalatie", "site")),
    Use("mail", (("klachtbehandeling", "email"), ("mail", "host")), ("klachtbehandeling", "mail")),
)

#: The declared default name is a placeholder, not a name: it counts as missing.
_PLACEHOLDERS = {("organisatie", "naam"): "Mijn Bedrijf"}


def missing(config: Config) -> dict[str, list[str]]:
    """Per use, every setting still empty or still an example value, as one Dutch line each."""
    examples = example_values(config)
    report: dict[str, list[str]] = {}
    for use in USES:
        lines = []
        for section, key in use.needs:
            if use.name == "mail" and key == "host" and config.mail.bezorging == "bestand":
                continue  # no mail server wanted: the digest goes to a file
            value = getattr(getattr(config, section), key)
            if not value or _PLACEHOLDERS.get((section, key)) == value:
                extra = " (of zet bezorging = \"bestand\" als u geen mail wilt)" if key == "host" else ""
                lines.append(f"[{section}] {key} ontbreekt: {SCHEMA[section][key].help}{extra}")
        lines += [f"{line} is een voorbeeldwaarde" for line in examples
                  if line.split("]")[0].lstrip("[") in use.sections]
        report[use.name] = lines
    return report
