"""The register's columns: headers as the owner sees them, their meaning and allowed values.

Headers are matched case-, space-, punctuation- and accent-insensitively, so "datum
ontvangst", "Datum Ontvangst " and "DATUM-ONTVANGST" are the same column. Column order is
free; the owner's extra columns are kept and ignored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Column:
    """One register column: identifier, sheet header and what may be in it."""

    key: str
    header: str
    required: bool
    kind: str  # text, date, enum, urgency, email, list (values from the config), amount (euros)
    help: str
    personal: bool = False  # personal data or free text: never published, removed on anonymisation
    choices: tuple[str, ...] = ()
    representative: bool = False  # the representative's own data (what `inzage` hands them)


CHANNELS = ("brief", "e-mail", "telefoon", "mondeling", "fax", "webformulier")
STATUSES = ("nieuw", "in behandeling", "afgehandeld")
#: "buiten de regeling": the complaint is not one the klachtenregeling covers; the complainant
#: hears why within [termijnen] buiten_regeling (its own letter kind, no standpunt).
OUTCOMES = ("gegrond", "deels gegrond", "ongegrond", "ingetrokken", "buiten de regeling")
OUTSIDE = "buiten de regeling"
SATISFACTION = ("ja", "nee", "onbekend")
METHODS = ("gesprek", "telefonisch", "schriftelijk", "e-mail")
SALUTATIONS = ("mevrouw", "heer")
#: How a complainant wants to be answered (the public form's one choice): letters follow it.
REPLY_BY = ("e-mail", "post")
CLOSED = "afgehandeld"

#: The NVKL urgency list, 1 = most urgent. Short labels in our own words.
URGENCY_LABELS = {
    1: "geschilleninstantie of rechter ingeschakeld",
    2: "aangetekende brief, eis of dreiging",
    3: "betaling ingehouden",
    4: "boze toon (brief, mail of telefoon)",
    5: "beroep op garantie",
    6: "opgeleverd werk of eerdere storing niet goed verholpen",
    7: "niet-technische klacht",
    8: "wens voor een volgende opdracht",
}

COLUMNS: tuple[Column, ...] = (
    Column("complaint_no", "Klachtnummer", True, "text", "uniek nummer, bijv. K2026-014 (blijft tekst)"),
    Column("received", "Datum ontvangst", True, "date", "datum waarop de klacht binnenkwam"),
    Column("channel", "Kanaal", True, "enum", "hoe de klacht binnenkwam", choices=CHANNELS),
    Column("name", "Naam", True, "text", "naam van de klager", personal=True),
    Column("address", "Adres", False, "text", "straat en huisnummer", personal=True),
    Column("postcode", "Postcode", False, "text", "postcode (blijft tekst)", personal=True),
    Column("city", "Woonplaats", False, "text", "woonplaats", personal=True),
    Column("email", "E-mail", False, "email", "e-mailadres van de klager", personal=True),
    Column("phone", "Telefoon", False, "text", "telefoonnummer (blijft tekst)", personal=True),
    Column("description", "Omschrijving", True, "text", "waar de klacht over gaat", personal=True),
    Column("category", "Categorie", False, "list", "onderwerp (lijst uit de configuratie)"),
    Column("cause", "Oorzaak", False, "list", "oorzaak (lijst uit de configuratie)"),
    Column("urgency", "Urgentie", False, "urgency", "1 (rechtszaak/geschillencommissie) t/m 8 (wens voor volgende opdracht)"),
    Column("handler", "Behandelaar", True, "text", "medewerker die de klacht behandelt"),
    Column("contact_person", "Contactpersoon", False, "text", "aanspreekpunt voor de klager als dat iemand anders is"),
    Column("acknowledged", "Datum bevestiging", False, "date", "datum waarop de ontvangstbevestiging is verstuurd"),
    Column("extension_sent", "Datum uitstelbericht", False, "date", "datum waarop het uitstel aan de klager is gemeld"),
    Column("extension_reason", "Reden uitstel", False, "text", "waarom meer tijd nodig is", personal=True),
    Column("extended_until", "Verlengd tot", False, "date", "nieuwe uiterste datum voor het standpunt"),
    Column("decided", "Datum standpunt", False, "date", "datum waarop het standpunt is meegedeeld"),
    Column("method", "Wijze van afhandeling", False, "enum", "hoe het standpunt is meegedeeld", choices=METHODS),
    Column("outcome", "Standpunt", False, "enum", "oordeel over de klacht", choices=OUTCOMES),
    Column("investigation", "Onderzoek", False, "text", "wat er is onderzocht (voor de standpuntbrief)", personal=True),
    Column("motivation", "Motivering", False, "text", "waarom het standpunt zo luidt (voor de standpuntbrief)", personal=True),
    Column("solution", "Oplossing", False, "text", "wat er is gedaan", personal=True),
    Column("compensation", "Compensatie", False, "text", "eventuele vergoeding", personal=True),
    Column("compensation_amount", "Compensatie bedrag", False, "amount",
           "de vergoeding in euro als getal (50 of 49,95), zodat de analyse ze kan optellen"),
    Column("measure", "Maatregel", False, "text", "verbetermaatregel voor de organisatie"),
    Column("status", "Status", True, "enum", "stand van zaken", choices=STATUSES),
    Column("correspondence", "Correspondentie", False, "text", "link(s) naar het dossier", personal=True),
    Column("satisfied", "Tevreden", False, "enum", "is de klager tevreden met de afhandeling", choices=SATISFACTION),
    Column("escalated_to", "Geëscaleerd naar", False, "text", "bijv. geschillencommissie, rechter"),
    Column("anonymised", "Geanonimiseerd op", False, "date", "datum waarop persoonsgegevens zijn verwijderd"),
    Column("follow_up", "Opvolgen op", False, "date",
           "dag waarop de klacht weer aandacht vraagt (wachten op de klant of een reparatie); "
           "de termijnen lopen gewoon door"),
    # Appended, not inserted: existing registers gain them after their last column.
    Column("salutation", "Aanhef", False, "enum", "mevrouw of heer (voor 'Geachte mevrouw Nepstra'); leeg = "
           "neutrale aanhef uit de configuratie", choices=SALUTATIONS),
    Column("taken_by", "Aangenomen door", False, "text", "medewerker die de klacht aannam (telefoon, balie)"),
    Column("representative", "Vertegenwoordiger", False, "text",
           "naam van wie de klacht namens de klager indiende; elke brief gaat dan naar hen allebei",
           personal=True, representative=True),
    Column("representative_address", "Adres vertegenwoordiger", False, "text",
           "postadres van de vertegenwoordiger (straat, postcode en plaats)", personal=True, representative=True),
    Column("representative_email", "E-mail vertegenwoordiger", False, "email",
           "e-mailadres van de vertegenwoordiger", personal=True, representative=True),
    Column("employee", "Betrokken medewerker", False, "text",
           "medewerker over wie de klacht gaat; behandel de klacht dan zo mogelijk door iemand anders",
           personal=True),
    Column("escalation_ended", "Procedure afgerond op", False, "date",
           "datum waarop de procedure uit Geëscaleerd naar is afgerond; de bewaartermijn telt dan vanaf die "
           "datum"),
    Column("reply_by", "Antwoord per", False, "enum", "hoe de klager antwoord wil krijgen: e-mail of post; "
           "leeg = per e-mail als er een e-mailadres is, anders per post", choices=REPLY_BY),
)

#: Columns that belong to the tool: written by `klachten controleer --schrijf`, never by hand.
TOOL_COLUMNS: tuple[Column, ...] = (
    Column("ack_due_written", "Bevestigen vóór", False, "date", "berekend: uiterste datum ontvangstbevestiging"),
    Column("decision_due_written", "Standpunt vóór", False, "date", "berekend: uiterste datum standpunt"),
    Column("signal_written", "Signaal", False, "text", "berekend: wat er te laat is of dreigt"),
)

BY_KEY = {c.key: c for c in COLUMNS + TOOL_COLUMNS}
DATE_KEYS = tuple(c.key for c in COLUMNS if c.kind == "date")
#: The one personal-data policy: these columns are never published (the privacy guard looks for
#: their values), are replaced by MARKER on anonymisation, and are what `inzage` hands over.
PERSONAL_KEYS = tuple(c.key for c in COLUMNS if c.personal)
#: The representative's own personal columns (a subset of PERSONAL_KEYS).
REPRESENTATIVE_KEYS = tuple(c.key for c in COLUMNS if c.personal and c.representative)
#: What anonymisation writes in place of a personal value.
MARKER = "[geanonimiseerd]"

#: Alternative spellings owners type for enum values, keyed by normalised form.
ALIASES = {
    "channel": {"email": "e-mail", "mail": "e-mail", "telefonisch": "telefoon", "tel": "telefoon",
                "post": "brief", "persoonlijk": "mondeling", "balie": "mondeling",
                "website": "webformulier", "webform": "webformulier", "formulier": "webformulier"},
    "status": {"open": "in behandeling", "behandeling": "in behandeling", "lopend": "in behandeling",
               "gesloten": "afgehandeld", "afgerond": "afgehandeld", "nieuwe": "nieuw"},
    "outcome": {"gedeeltelijkgegrond": "deels gegrond", "deelsgegrond": "deels gegrond",
                "teruggetrokken": "ingetrokken", "nietgegrond": "ongegrond",
                "buitenregeling": "buiten de regeling", "valtbuitenderegeling": "buiten de regeling"},
    "salutation": {"mw": "mevrouw", "mevr": "mevrouw", "dhr": "heer", "de heer": "heer", "meneer": "heer"},
    "reply_by": {"per e-mail": "e-mail", "email": "e-mail", "mail": "e-mail", "per mail": "e-mail",
                 "per post": "post", "brief": "post", "per brief": "post", "schriftelijk": "post"},
    "satisfied": {"j": "ja", "n": "nee", "?": "onbekend", "weetniet": "onbekend"},
    "method": {"telefoon": "telefonisch", "brief": "schriftelijk", "email": "e-mail", "mail": "e-mail",
               "mondeling": "gesprek", "persoonlijk": "gesprek"},
}

_NON_ALNUM = re.compile(r"[^0-9a-z?]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case, accents removed, everything but letters and digits dropped.

    'Geëscaleerd naar' -> 'geescaleerdnaar'; used to match headers and enum values.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_ALNUM.sub("", plain.lower())


HEADER_INDEX = {fold(c.header): c.key for c in COLUMNS + TOOL_COLUMNS}
URGENCIES = tuple(str(n) for n in URGENCY_LABELS)


def header_positions(headers: list[Any]) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Schema key -> 0-based column for a header row (the first of two equal headers wins),
    plus the (key, column) pairs of the repeated ones."""
    positions: dict[str, int] = {}
    repeated: list[tuple[str, int]] = []
    for idx, header in enumerate(headers):
        key = HEADER_INDEX.get(fold(str(header))) if header not in (None, "") else None
        if key is None:
            continue
        if key in positions:
            repeated.append((key, idx))
        else:
            positions[key] = idx
    return positions, repeated


def column_letter(index: int) -> str:
    """0-based column index -> A1 letters (0 -> 'A', 26 -> 'AA')."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def enum_lookup(key: str, choices: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Folded spelling -> canonical value, aliases included."""
    table = {fold(c): c for c in choices}
    for alias, canonical in ALIASES.get(key, {}).items():
        if canonical in choices:
            table.setdefault(fold(alias), canonical)
    return table
