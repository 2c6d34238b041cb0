"""The one config file (klachten.toml), declared as a schema and validated in one pass.

Every setting has a type, a default and a Dutch help line. Unknown keys are rejected with a
hint, every problem is collected before one ConfigError is raised. Secrets never live in the
file: a setting ending in ``_env`` holds the *name* of an environment variable, resolved by
:func:`resolve_secret`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError, os_error_message, resolved

DEFAULT_CONFIG_NAME = "klachten.toml"
CONFIG_ENV = "KLACHTEN_CONFIG"

TERM_UNITS = ("werkdagen", "kalenderdagen", "weken")
_UNIT_ALIASES = {
    "werkdag": "werkdagen", "werkdagen": "werkdagen",
    "kalenderdag": "kalenderdagen", "kalenderdagen": "kalenderdagen",
    "dag": "kalenderdagen", "dagen": "kalenderdagen",
    "week": "weken", "weken": "weken",
}
#: Dutch weekday names, Monday first (datetime.date.weekday() indexes this).
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_SINGULAR = {"werkdagen": "werkdag", "kalenderdagen": "kalenderdag", "weken": "week"}
_NUMBER_WORDS = {1: "één", 2: "twee", 3: "drie", 4: "vier", 5: "vijf", 6: "zes", 7: "zeven",
                 8: "acht", 9: "negen", 10: "tien", 11: "elf", 12: "twaalf"}


@dataclass(frozen=True)
class Term:
    """A period with its unit, as the regulation states it ("7 werkdagen", "2 weken")."""

    amount: int
    unit: str  # one of TERM_UNITS

    def __str__(self) -> str:
        return f"{self.amount} {_SINGULAR[self.unit] if self.amount == 1 else self.unit}"

    @property
    def in_words(self) -> str:
        """The term as a visitor reads it: 'zeven werkdagen', 'twee weken'."""
        unit = _SINGULAR[self.unit] if self.amount == 1 else self.unit
        return f"{_NUMBER_WORDS.get(self.amount, str(self.amount))} {unit}"

    @property
    def days(self) -> int:
        """Length in days of its own unit: working days or calendar days."""
        return self.amount * 7 if self.unit == "weken" else self.amount


@dataclass(frozen=True)
class Retention:
    """How long a closed complaint is kept, in whole months."""

    months: int

    def __str__(self) -> str:
        if self.months % 12 == 0:
            years = self.months // 12
            return f"{years} jaar"
        return f"{self.months} maanden"


def _hint(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return f" (bedoelde u '{close[0]}'?)" if close else ""


_TERM_RE = re.compile(r"^\s*(\d+)\s*([a-z]+)\s*$")


def parse_term(text: str) -> Term:
    """'7 werkdagen' -> Term(7, 'werkdagen'); raises ValueError with a Dutch reason."""
    m = _TERM_RE.match(str(text).lower())
    if not m or m.group(2) not in _UNIT_ALIASES:
        raise ValueError(
            f"'{text}' is geen termijn; schrijf bijvoorbeeld '7 werkdagen', '14 kalenderdagen' of '2 weken'")
    amount = int(m.group(1))
    if amount < 1:
        raise ValueError("een termijn moet minstens 1 zijn")
    return Term(amount, _UNIT_ALIASES[m.group(2)])


def parse_retention(text: str) -> Retention:
    m = _TERM_RE.match(str(text).lower())
    units = {"jaar": 12, "jaren": 12, "maand": 1, "maanden": 1}
    if not m or m.group(2) not in units:
        raise ValueError(f"'{text}' is geen bewaartermijn; schrijf bijvoorbeeld '1 jaar' of '18 maanden'")
    return Retention(int(m.group(1)) * units[m.group(2)])


def _parse_dates(value: Any) -> list[dt.date]:
    if not isinstance(value, list):
        raise ValueError("verwacht een lijst met datums")
    out: list[dt.date] = []
    for item in value:
        if isinstance(item, dt.datetime):
            out.append(item.date())
        elif isinstance(item, dt.date):
            out.append(item)
        elif isinstance(item, str):
            parts = item.split("/")
            try:
                start = dt.date.fromisoformat(parts[0].strip())
                end = dt.date.fromisoformat(parts[1].strip()) if len(parts) == 2 else start
            except ValueError:
                raise ValueError(f"'{item}' is geen datum (JJJJ-MM-DD) of reeks (JJJJ-MM-DD/JJJJ-MM-DD)") from None
            if len(parts) > 2 or end < start:
                raise ValueError(f"'{item}' is geen geldige reeks")
            out.extend(start + dt.timedelta(days=i) for i in range((end - start).days + 1))
        else:
            raise ValueError(f"'{item}' is geen datum")
    return out


_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _convert(opt: Option, value: Any) -> Any:
    """Convert one raw TOML value; raise ValueError with a Dutch reason."""
    kind = opt.kind
    if kind in ("str", "path", "email", "choice", "env"):
        if not isinstance(value, str):
            raise ValueError("verwacht tekst tussen aanhalingstekens")
        value = value.strip()
        if kind == "email" and value and not _EMAIL_RE.match(value):
            raise ValueError(f"'{value}' is geen geldig e-mailadres")
        if kind == "choice" and value not in opt.choices:
            allowed = ", ".join(f"'{c}'" for c in opt.choices)
            raise ValueError(f"'{value}' is niet toegestaan; kies uit {allowed}{_hint(value, list(opt.choices))}")
        if kind == "env" and value and not _ENV_NAME_RE.match(value):
            raise ValueError(
                f"verwacht de náám van een omgevingsvariabele (bijv. KLACHTEN_SMTP_PASSWORD), niet '{value}'")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("verwacht een geheel getal")
        if opt.minimum is not None and value < opt.minimum:
            raise ValueError(f"moet minstens {opt.minimum} zijn")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("verwacht true of false")
        return value
    if kind == "term":
        return value if isinstance(value, Term) else parse_term(value)
    if kind == "retention":
        return value if isinstance(value, Retention) else parse_retention(value)
    if kind == "dates":
        return _parse_dates(value)
    if kind == "date":
        if value is None or isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"'{value}' is geen datum (JJJJ-MM-DD)") from None
        raise ValueError("verwacht een datum (JJJJ-MM-DD)")
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValueError("verwacht een lijst met teksten, bijv. [\"product\", \"factuur\"]")
        return [v.strip() for v in value]
    if kind == "mapping":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ValueError("verwacht naam = \"e-mailadres\" paren")
        bad = [v for v in value.values() if not _EMAIL_RE.match(v.strip())]
        if bad:
            raise ValueError(f"'{bad[0]}' is geen geldig e-mailadres")
        return {k.strip(): v.strip() for k, v in value.items()}
    if kind == "url":
        if not isinstance(value, str):
            raise ValueError("verwacht tekst tussen aanhalingstekens")
        value = value.strip()
        if value and not value.startswith("https://"):
            raise ValueError(f"'{value}' is geen webadres; het begint met https://")
        return value
    if kind == "questions":
        from register.schema import BY_KEY, HEADER_INDEX, fold

        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ValueError("verwacht \"vraag\" = \"kolom\" paren, bijv. \"Wat is er gebeurd?\" = \"Omschrijving\"")
        mapped: dict[str, str] = {}
        for question, header in value.items():
            key = HEADER_INDEX.get(fold(header))
            if key not in INTAKE_KEYS:
                allowed = ", ".join(BY_KEY[k].header for k in INTAKE_KEYS)
                raise ValueError(f"vraag '{question}': '{header}' is geen kolom die het formulier mag vullen; "
                                 f"kies uit {allowed}")
            mapped[question.strip()] = key
        return mapped
    if kind == "tables":
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ValueError("verwacht een of meer [[escalatie.mogelijkheden]]-blokken")
        out = []
        for i, table in enumerate(value, 1):
            for k in table:
                if k not in _ESCALATION_KEYS:
                    raise ValueError(f"onbekende sleutel '{k}' in blok {i}{_hint(k, list(_ESCALATION_KEYS))}")
            if not str(table.get("naam", "")).strip():
                raise ValueError(f"blok {i} mist 'naam'")
            out.append(EscalationBody(**{k: str(table.get(k, "")).strip() for k in _ESCALATION_KEYS}))
        return out
    raise AssertionError(f"unknown option kind {kind}")  # a bug in SCHEMA, not user input


@dataclass(frozen=True)
class Option:
    """One declared setting: its type, default and the help line shown to the owner."""

    kind: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None


def _o(kind: str, default: Any, help: str, **kw: Any) -> Any:
    """A dataclass field that carries its Option: the one declaration of a setting."""
    option = Option(kind, default, help, **kw)
    converted = _convert(option, default)
    if isinstance(converted, (list, dict)):
        return field(default_factory=lambda: _convert(option, default), metadata={"option": option})
    return field(default=converted, metadata={"option": option})


#: Register columns an online form may fill (by question title); the rest is the owner's.
INTAKE_KEYS = ("name", "email", "phone", "address", "postcode", "city", "description", "salutation", "reply_by")
#: The questions the README tells the owner to put on the form, and the column each one fills.
DEFAULT_QUESTIONS = {
    "Naam": "Naam", "E-mailadres": "E-mail", "Telefoonnummer": "Telefoon", "Adres": "Adres",
    "Postcode": "Postcode", "Woonplaats": "Woonplaats", "Wat is er gebeurd?": "Omschrijving",
    "Wanneer gebeurde het?": "Omschrijving", "Wat verwacht u van ons?": "Omschrijving",
    "Hoe wilt u antwoord krijgen?": "Antwoord per",
}
DEFAULT_CATEGORIES = ["product", "dienstverlening", "factuur", "gedrag medewerker", "levering"]
DEFAULT_CAUSES = ["gebrek aan informatie", "kwaliteit", "gebruikskosten", "dienstverlening", "anders"]


@dataclass(frozen=True)
class EscalationBody:
    """Where a complainant can go when not satisfied ([[escalatie.mogelijkheden]])."""

    naam: str
    adres: str = ""
    website: str = ""
    termijn: str = ""
    toelichting: str = ""


#: Where a complainant can go when no [[escalatie.mogelijkheden]] are configured: the one text
#: the site and every standpunt name then (a route is always named).
ESCALATION_FALLBACK = "de bevoegde rechter"


def escalation_warning(config: Config) -> str | None:
    """A Dutch warning when no escalation body is configured (site and letters then name only
    ESCALATION_FALLBACK); None when at least one is."""
    if config.escalatie.mogelijkheden:
        return None
    return (f"geen [[escalatie.mogelijkheden]] ingesteld; brieven en site noemen dan alleen "
            f"'{ESCALATION_FALLBACK}' als de klager het niet met uw standpunt eens is. Voeg de "
            f"geschilleninstantie toe waarbij u bent aangesloten (naam, website, termijn)")


_ESCALATION_KEYS = {"naam": True, "adres": False, "website": False, "termijn": False, "toelichting": False}


@dataclass(frozen=True)
class Organisatie:
    naam: str = _o("str", "Mijn Bedrijf", "naam van de organisatie, bovenaan brieven en site")
    adres: str = _o("str", "", "straat en huisnummer")
    postcode: str = _o("str", "", "postcode")
    plaats: str = _o("str", "", "vestigingsplaats, ook de plaats boven brieven")
    email: str = _o("email", "", "algemeen e-mailadres voor klachten")
    telefoon: str = _o("str", "", "telefoonnummer")
    website: str = _o("str", "", "adres van de website")
    logo: str = _o("path", "", "pad naar een logo (png/svg) voor het briefhoofd; leeg = geen logo")
    kvk: str = _o("str", "", "KvK-nummer (optioneel, in de voet van brieven)")


@dataclass(frozen=True)
class Klachtbehandeling:
    klachtverantwoordelijke: str = _o("str", "", "naam van wie eindverantwoordelijk is voor klachten")
    functie: str = _o("str", "directie", "functie van de klachtverantwoordelijke")
    email: str = _o("email", "", "e-mailadres van de klachtverantwoordelijke (ook ontvanger van de dagmail)")
    telefoon: str = _o("str", "", "telefoonnummer voor klachten")
    contactpersoon: str = _o("str", "", "vast aanspreekpunt voor klagers als dat iemand anders is dan de "
                             "klachtverantwoordelijke; brieven noemen alleen deze persoon")
    contactpersoon_email: str = _o("email", "", "e-mailadres van de contactpersoon (leeg = [organisatie] email)")
    contactpersoon_telefoon: str = _o("str", "", "telefoonnummer van de contactpersoon (leeg = [organisatie] telefoon)")
    contactpersoon_functie: str = _o("str", "klachtbehandeling", "functie van de contactpersoon, onder de brieven")
    online_formulier: str = _o("str", "", "link naar een online klachtenformulier (optioneel)")
    regeling_gewijzigd: dt.date | None = _o("date", None, "datum waarop de klachtenregeling laatst is gewijzigd")
    regeling_versie: str = _o("str", "1", "versienummer van de klachtenregeling (op de site, bij de ingangsdatum)")
    regeling_ingang: dt.date | None = _o("date", None, "datum waarop deze versie van de klachtenregeling geldt; "
                                         "leeg = de datum van regeling_gewijzigd")
    openingstijden: str = _o("str", "", "wanneer u telefonisch of op het adres bereikbaar bent, bijv. "
                             "'maandag tot en met vrijdag van 8.30 tot 17.00 uur'")
    indientermijn: str = _o("str", "", "tot wanneer een klacht kan worden ingediend, bijv. 'binnen twee maanden "
                            "nadat u het probleem ontdekte'; leeg = geen vaste termijn")
    compensatie: str = _o("str", "Vinden wij uw klacht gegrond of deels gegrond en heeft u daardoor schade, extra "
                          "kosten of veel ongemak gehad, dan bieden wij u een tegemoetkoming aan die daarbij past: "
                          "wij maken het werk alsnog goed, vervangen wat niet deugde of vergoeden de kosten die u "
                          "redelijkerwijs moest maken. In ons standpunt leest u wat wij u aanbieden en waarom. Vinden "
                          "wij uw klacht ongegrond, dan bieden wij geen vergoeding aan.",
                          "wanneer u een klager compensatie aanbiedt: een alinea in de gepubliceerde "
                          "klachtenregeling (artikel 'Ons antwoord')")
    niet_behandeld: list[str] = _o("list", [
        "een klacht waarover al een procedure loopt bij een geschilleninstantie of de rechter",
        "een klacht die wij al eerder hebben behandeld, tenzij er iets nieuws is gebeurd",
        "een verzoek om schadevergoeding dat geen klacht over onze dienst is",
    ], "wat niet onder de klachtenregeling valt (elk een zin zonder punt)")


@dataclass(frozen=True)
class Termijnen:
    bevestiging: Term = _o("term", "7 werkdagen", "binnen deze termijn na ontvangst volgt de ontvangstbevestiging")
    standpunt: Term = _o("term", "2 weken", "binnen deze termijn na ontvangst volgt het standpunt")
    uitstel_maximaal: Term = _o("term", "4 weken", "maximale verlenging na het einde van de standpunttermijn")
    waarschuwing_werkdagen: int = _o("int", 2, "zoveel werkdagen vóór het einde van een termijn waarschuwen",
                                     minimum=0)
    uitstel_melden_werkdagen: int = _o("int", 5, "zoveel werkdagen vóór het einde van de standpunttermijn vraagt "
                                       "het signaal uitstelbericht_nodig om een uitstelbericht (ruim op tijd)",
                                       minimum=0)
    buiten_regeling: Term = _o("term", "7 werkdagen", "valt een klacht buiten de regeling, dan hoort de klager "
                               "binnen deze termijn na ontvangst waarom")


@dataclass(frozen=True)
class Bewaren:
    termijn: Retention = _o("retention", "1 jaar",
                            "zo lang na afhandeling blijft een klacht bewaard ('1 jaar', '18 maanden')")
    korter_toestaan: bool = _o("bool", False,
                               "alleen op true zetten als een bewaartermijn korter dan 1 jaar echt bedoeld is")
    procedure_navragen: Retention = _o("retention", "6 maanden",
                                       "zo lang na de Datum standpunt van een geëscaleerde klacht zonder 'Procedure "
                                       "afgerond op' vraagt het signaal procedure_afgerond_navragen om die datum")


@dataclass(frozen=True)
class RegisterSettings:
    bron: str = _o("choice", "xlsx", "waar het register staat", choices=("xlsx", "google"))
    pad: str = _o("path", "data/demo-register.xlsx", "het .xlsx-bestand (bij bron = \"xlsx\")")
    tabblad: str = _o("str", "Register", "naam van het tabblad met het register")
    spreadsheet: str = _o("str", "", "sleutel of URL van de Google Sheet (bij bron = \"google\")")
    credentials_env: str = _o("env", "GOOGLE_APPLICATION_CREDENTIALS",
                              "omgevingsvariabele met het pad naar het service-account-bestand")
    timeout_seconden: int = _o("int", 30, "maximale wachttijd per verzoek aan Google", minimum=1)
    pogingen: int = _o("int", 7, "zo vaak proberen bij drukte of storing van Google (wachttijden 1, 2, 4, … s: samen ruim een minuut)", minimum=1)


@dataclass(frozen=True)
class Kalender:
    extra_sluitingsdagen: list[dt.date] = _o(
        "dates", [], "extra dagen waarop het bedrijf dicht is: datums of reeksen '2026-12-28/2026-12-31'")
    vrijdag_na_hemelvaart: bool = _o("bool", False, "de vrijdag na Hemelvaartsdag is elk jaar een sluitingsdag")


@dataclass(frozen=True)
class Lijsten:
    categorieen: list[str] = _o("list", DEFAULT_CATEGORIES, "toegestane waarden voor de kolom Categorie")
    oorzaken: list[str] = _o("list", DEFAULT_CAUSES, "toegestane waarden voor de kolom Oorzaak")


@dataclass(frozen=True)
class Escalatie:
    mogelijkheden: list[EscalationBody] = _o(
        "tables", [], "waar de klager terecht kan als die niet tevreden is (naam, adres, website, termijn, toelichting)")


@dataclass(frozen=True)
class Brieven:
    map: str = _o("path", "private/brieven", "map voor brieven (persoonsgegevens: buiten site/ en niet in git)")
    sjablonen: str = _o("path", "mijn-sjablonen", "map met eigen sjablonen die voorgaan op de standaardsjablonen")
    ondertekenaar: str = _o("str", "", "naam onder de brieven; leeg = de contactpersoon (of de klachtverantwoordelijke)")
    aanhef_neutraal: str = _o("choice", "geachte", "aanhef als de kolom Aanhef leeg is: 'geachte' (Geachte Marieke "
                              "Nepstra) of 'beste' (Beste Marieke Nepstra)", choices=("geachte", "beste"))
    standpunt_recent_dagen: int = _o("int", 14, "`brieven` maakt een standpuntbrief alleen als de Datum standpunt "
                                     "hooguit zoveel kalenderdagen voor de peildatum ligt (nooit de geschiedenis)",
                                     minimum=0)
    # Window envelope. Default: DL/C5-6 window envelope 'venster links' (DIN 680 window 90 x 45 mm,
    # 20 mm from the left, 15 mm from the bottom of the 110 mm envelope) for an A4 sheet folded
    # in three per DIN 5008 (address field from 45 mm below the top edge).
    venster_links_mm: int = _o("int", 20, "venster van de envelop: afstand tot de linkerrand van het papier (mm)", minimum=0)
    venster_boven_mm: int = _o("int", 45, "venster van de envelop: afstand tot de bovenrand van het papier (mm)", minimum=0)
    venster_breedte_mm: int = _o("int", 90, "breedte van het venster (mm)", minimum=20)
    venster_hoogte_mm: int = _o("int", 45, "hoogte van het venster (mm)", minimum=15)


@dataclass(frozen=True)
class Site:
    uitvoer: str = _o("path", "public", "map waarin de website wordt gebouwd")
    minimum_aantal: int = _o("int", 3, "aantallen kleiner dan dit tonen als 'minder dan N'", minimum=1)
    analyses: str = _o("path", "analyses", "map met uw eigen analysetekst per jaar (2026.md); wordt nooit overschreven")
    url: str = _o("url", "", "publiek adres van de site, ook in een submap (https://eigenaar.github.io/klachten/): "
                  "vult de sitemap en laat de links op de foutpagina (404) kloppen")
    demo: bool = _o("bool", False, "de site mag voorbeeldwaarden uit de meegeleverde klachten.toml publiceren "
                    "(alleen voor een demo; ook voor de nachtrun)")


@dataclass(frozen=True)
class Mail:
    host: str = _o("str", "", "SMTP-server (bijv. smtp.uwprovider.nl); leeg = nog niet ingesteld")
    bezorging: str = _o("choice", "smtp", "smtp = de dagmail via de mailserver versturen; bestand = geen mail: de "
                        "nachtrun schrijft de dagmail als bestand in de privémap en zegt waar",
                        choices=("smtp", "bestand"))
    poort: int = _o("int", 587, "SMTP-poort", minimum=1)
    beveiliging: str = _o("choice", "starttls", "versleuteling van de verbinding", choices=("starttls", "ssl", "geen"))
    afzender: str = _o("email", "", "afzender van de dagmail")
    gebruiker_env: str = _o("env", "KLACHTEN_SMTP_USER", "omgevingsvariabele met de SMTP-gebruikersnaam")
    wachtwoord_env: str = _o("env", "KLACHTEN_SMTP_PASSWORD", "omgevingsvariabele met het SMTP-wachtwoord")
    timeout_seconden: int = _o("int", 20, "maximale duur van één verbinding met de mailserver (alle stappen samen)",
                               minimum=1)
    per_behandelaar: bool = _o("bool", False, "ook elke behandelaar een mail met alleen de eigen klachten sturen")
    behandelaars: dict[str, str] = _o("mapping", {}, "e-mailadres per behandelaar: naam = \"adres\"")
    ook_als_alles_op_tijd: bool = _o("bool", False, "ook mailen als er niets te melden is")
    weekoverzicht: str = _o("choice", "nee", "op deze dag bevat de dagmail ook elke open klacht per "
                            "behandelaar, met leeftijd en eerstvolgende termijn; nee = nooit",
                            choices=("nee",) + WEEKDAYS)


#: Backups keep an anonymised complaint's data this many days at most after the retention
#: term; the regeling states it, and a longer [nachtrun] backups_bewaren is refused.
MAX_BACKUP_DAYS = 31


@dataclass(frozen=True)
class Nachtrun:
    map: str = _o("path", "private", "map voor back-ups, status en postvak-uit (niet in git, niet onder site/)")
    backups_bewaren: int = _o("int", 30, "zoveel dagen back-ups van het register bewaren (één per nacht; oudere "
                              f"gaan weg); hooguit {MAX_BACKUP_DAYS}, want zo lang staan gegevens na het "
                              "anonimiseren nog in een back-up", minimum=1)
    site_bouwen: bool = _o("bool", False, "na de mail ook de website opnieuw bouwen")
    deadlines_schrijven: bool = _o("bool", False, "de berekende termijnen terugschrijven in de kolommen van de tool")
    bevestigingen_versturen: bool = _o("bool", False, "ontvangstbevestigingen die nodig zijn zelf per e-mail versturen "
                                       "en vastleggen (zoals `klachten brieven --verstuur`, alleen bevestigingen)")
    formulier_importeren: bool = _o("bool", False, "nieuwe reacties van het online klachtenformulier in het register "
                                    "zetten (zoals `klachten importeer --uitvoeren`; alleen bij een Google Sheet)")


@dataclass(frozen=True)
class Intake:
    formulier: str = _o("url", "", "openbare link van het Google Formulier (https://forms.gle/… of "
                        "https://docs.google.com/forms/…/viewform); leeg = geen online formulier op de site")
    antwoorden_tabblad: str = _o("str", "Formulierreacties 1", "tabblad in de register-sheet waarin het formulier "
                                 "zijn reacties zet")
    behandelaar: str = _o("str", "", "Behandelaar van een klacht uit het formulier; leeg = de klachtverantwoordelijke")
    vragen: dict[str, str] = _o("questions", DEFAULT_QUESTIONS, "per vraag van het formulier de kolom die het "
                                "antwoord krijgt: \"vraag\" = \"kolom\"; andere antwoorden komen in Omschrijving")


@dataclass(frozen=True)
class Config:
    """The validated config: one typed, frozen section per [table], plus where it was read."""

    path: Path
    root: Path
    organisatie: Organisatie = field(default_factory=Organisatie)
    klachtbehandeling: Klachtbehandeling = field(default_factory=Klachtbehandeling)
    termijnen: Termijnen = field(default_factory=Termijnen)
    bewaren: Bewaren = field(default_factory=Bewaren)
    register: RegisterSettings = field(default_factory=RegisterSettings)
    kalender: Kalender = field(default_factory=Kalender)
    lijsten: Lijsten = field(default_factory=Lijsten)
    escalatie: Escalatie = field(default_factory=Escalatie)
    brieven: Brieven = field(default_factory=Brieven)
    site: Site = field(default_factory=Site)
    mail: Mail = field(default_factory=Mail)
    nachtrun: Nachtrun = field(default_factory=Nachtrun)
    intake: Intake = field(default_factory=Intake)

    def resolve(self, value: str | Path) -> Path:
        """A path from the config, relative to the folder the config file is in."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.root / p

    def register_path(self) -> Path:
        """The local register file ([register] pad)."""
        return self.resolve(self.register.pad)

    def private_dir(self) -> Path:
        """The private folder ([nachtrun] map): backups, cache, outbox, state, logs."""
        return self.resolve(self.nachtrun.map)

    def backups_dir(self) -> Path:
        return self.private_dir() / "backups"

    def cache_dir(self) -> Path:
        """Derived files without personal data (charts, the public form)."""
        return self.private_dir() / "cache"

    def outbox_dir(self) -> Path:
        return self.private_dir() / "postvak-uit"

    def letters_outbox_dir(self) -> Path:
        """Letters being mailed (.eml), kept until the server accepted them."""
        return self.private_dir() / "brieven-uit"

    def letters_log(self) -> Path:
        """The sent log of letters: which letter went to which complaint, when and how."""
        return self.private_dir() / "brieven-verzonden.json"

    def state_file(self) -> Path:
        """What the nightly run has delivered, per day."""
        return self.private_dir() / "nachtrun-status.json"

    def digest_file_dir(self) -> Path:
        """Where the daily mail goes with [mail] bezorging = "bestand" (no mail server)."""
        return self.private_dir() / "dagmail"

    def letters_dir(self) -> Path:
        return self.resolve(self.brieven.map)

    def site_dir(self) -> Path:
        return self.resolve(self.site.uitvoer)

    def analyses_dir(self) -> Path:
        return self.resolve(self.site.analyses)


#: Section name -> its dataclass; SCHEMA below is derived from these, so each setting is declared once.
SECTIONS: dict[str, type] = {f.name: f.default_factory for f in fields(Config)  # type: ignore[misc]
                             if f.name not in ("path", "root")}
SCHEMA: dict[str, dict[str, Option]] = {
    name: {f.name: f.metadata["option"] for f in fields(cls)} for name, cls in SECTIONS.items()
}


#: tomllib's messages (Python 3.11-3.13) in Dutch; an unknown one becomes 'ongeldige schrijfwijze'.
_TOML_MESSAGES = {
    "Expected ']' at the end of a table declaration": "']' ontbreekt aan het eind van een [sectie]",
    "Expected ']]' at the end of an array declaration": "']]' ontbreekt aan het eind van een [[blok]]",
    "Invalid value": "ongeldige waarde (tekst hoort tussen aanhalingstekens)",
    "Expected '=' after a key in a key/value pair": "'=' ontbreekt na de sleutel",
    "Invalid statement": "deze regel is geen 'sleutel = waarde' en geen [sectie]",
    "Cannot overwrite a value": "deze sleutel staat er al eerder",
    "Cannot declare": "deze sectie staat er al eerder",
    "Illegal character": "ongeldig teken",
    "Unclosed array": "een lijst [ … ] is niet afgesloten",
    "Unterminated string": "een tekst is niet afgesloten met een aanhalingsteken",
    "Expected newline or end of document after a statement": "na een waarde hoort een nieuwe regel te beginnen",
    "Invalid date or datetime": "ongeldige datum",
    "Invalid initial character for a key part": "ongeldig begin van een sleutel",
}
_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")


def toml_error_nl(message: str) -> str:
    """tomllib's English error as one Dutch phrase with line and column."""
    where = _TOML_WHERE.search(message)
    text = next((nl for en, nl in _TOML_MESSAGES.items() if message.startswith(en)), "ongeldige schrijfwijze")
    if where and where.group(1):
        return f"regel {where.group(1)}, kolom {where.group(2)}: {text}"
    return f"aan het eind van het bestand: {text}" if where else text


def find_config(path: str | Path | None = None) -> Path:
    """The config file to use: the explicit path, $KLACHTEN_CONFIG, or ./klachten.toml."""
    if path is not None:
        return Path(path)
    env = os.environ.get(CONFIG_ENV)
    return Path(env) if env else Path.cwd() / DEFAULT_CONFIG_NAME


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate the config file; raise ConfigError listing every problem."""
    cfg_path = find_config(path)
    try:
        raw = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"configuratiebestand '{cfg_path}' niet gevonden; maak er een met 'klachten init', of geef een pad "
            f"met --config of zet {CONFIG_ENV}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"'{cfg_path}' is geen geldig TOML-bestand: {toml_error_nl(str(exc))}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"'{cfg_path}' is geen tekstbestand in UTF-8") from None
    except OSError as exc:
        reason = os_error_message(exc).removeprefix(f"{exc.filename}: ")
        raise ConfigError(f"'{cfg_path}' kan niet worden gelezen: {reason}") from None
    return config_from_dict(raw, cfg_path)


def config_from_dict(raw: dict[str, Any], cfg_path: Path) -> Config:
    """Validate an already parsed config mapping against SCHEMA."""
    problems: list[str] = []
    sections: dict[str, Any] = {}
    for name in raw:
        if name not in SCHEMA:
            problems.append(f"onbekende sectie [{name}]{_hint(name, list(SCHEMA))}")
        elif not isinstance(raw[name], dict):
            problems.append(f"[{name}] moet een sectie zijn, geen losse waarde")
    for name, options in SCHEMA.items():
        given = raw.get(name, {}) if isinstance(raw.get(name, {}), dict) else {}
        for key in given:
            if key not in options:
                problems.append(f"[{name}] onbekende sleutel '{key}'{_hint(key, list(options))}")
        values: dict[str, Any] = {}
        for key, opt in options.items():
            if key not in given:
                continue  # the dataclass default, converted once when the class was declared
            try:
                values[key] = _convert(opt, given[key])
            except ValueError as exc:
                problems.append(f"[{name}] {key}: {exc}")
        sections[name] = SECTIONS[name](**values)

    retention = sections["bewaren"].termijn
    if retention.months < 12 and not sections["bewaren"].korter_toestaan:
        problems.append(
            "[bewaren] termijn: klachten moeten minstens 1 jaar na afhandeling bewaard blijven; "
            "zet korter_toestaan = true als een kortere termijn echt bedoeld is")
    backup_days = sections["nachtrun"].backups_bewaren
    shortest_term_days = retention.months * 28  # the shortest month: the term is never shorter
    if backup_days > min(MAX_BACKUP_DAYS, shortest_term_days - 1):
        problems.append(
            f"[nachtrun] backups_bewaren: {backup_days} dagen is te lang; een back-up bewaart de gegevens van een "
            f"geanonimiseerde klacht zo lang na de bewaartermijn ({retention}); kies hooguit "
            f"{min(MAX_BACKUP_DAYS, shortest_term_days - 1)}")
    terms = sections["termijnen"]
    if _approx_days(terms.bevestiging) > _approx_days(terms.standpunt):
        problems.append("[termijnen] bevestiging mag niet langer zijn dan standpunt")
    if problems:
        raise ConfigError(f"fout in {cfg_path.name}:\n  " + "\n  ".join(problems))
    path = resolved(cfg_path)
    return Config(path=path, root=path.parent, **sections)


def _approx_days(term: Term) -> float:
    return term.amount * {"werkdagen": 7 / 5, "kalenderdagen": 1, "weken": 7}[term.unit]


def resolve_secret(env_name: str, what: str, required: bool = True) -> str | None:
    """The value of a secret from the environment variable the config names."""
    value = os.environ.get(env_name) if env_name else None
    if value is None and required:
        raise ConfigError(f"{what} ontbreekt: zet de omgevingsvariabele {env_name or '(geen naam ingesteld)'}")
    return value


#: What marks a value as an example from the shipped klachten.toml: the word 'voorbeeld', the
#: reserved '.example' domain, runs of zeros (Postbus 00000, KvK 00000000, 0000 AA) and the
#: shipped names and numbers themselves.
_EXAMPLE_MARKS = (re.compile(r"voorbeeld", re.IGNORECASE), re.compile(r"\.example\b", re.IGNORECASE),
                  re.compile(r"(?<!\d)0{5,}(?!\d)"), re.compile(r"(?<!\d)0000 ?AA\b"))
SHIPPED_EXAMPLES = frozenset({"M. de Wit", "R. Bakker", "010-123 45 67", "010-123 45 68", "1234 AB"})


def example_values(config: Config) -> list[str]:
    """Every setting that still holds an example value of the shipped klachten.toml, as
    '[sectie] sleutel = "waarde"' (lists and escalation bodies with their position)."""
    found: list[str] = []

    def check(where: str, value: object) -> None:
        if isinstance(value, str) and value and (value in SHIPPED_EXAMPLES
                                                  or any(m.search(value) for m in _EXAMPLE_MARKS)):
            found.append(f"{where} = {json_quote(value)}")

    for name in SECTIONS:
        section = getattr(config, name)
        for f in fields(section):
            value = getattr(section, f.name)
            if isinstance(value, list):
                for n, item in enumerate(value, start=1):
                    if isinstance(item, EscalationBody):
                        for g in fields(item):
                            check(f"[{name}] {f.name} {n}: {g.name}", getattr(item, g.name))
                    else:
                        check(f"[{name}] {f.name} {n}", item)
            else:
                check(f"[{name}] {f.name}", value)
    return found


def json_quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def describe_schema() -> str:
    """The schema as Markdown, for the docs (one table per section)."""
    lines = []
    for name, options in SCHEMA.items():
        lines += [f"### [{name}]", "", "| sleutel | standaard | betekenis |", "|---|---|---|"]
        for key, opt in options.items():
            default = opt.default if opt.default not in (None, "", [], {}) else "—"
            if isinstance(default, dict):  # a TOML table, written as the owner would
                shown = "<br>".join(f'`"{k}" = "{v}"`' for k, v in default.items())
                lines.append(f"| `{key}` | {shown} | {opt.help} |")
                continue
            lines.append(f"| `{key}` | `{default}` | {opt.help} |")
        lines.append("")
    return "\n".join(lines)

