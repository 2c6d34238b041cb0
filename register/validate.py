"""Validation of a register: every problem collected as data, never raised.

Each check builds a boolean mask over all rows at once; only the rows that fail become
Finding objects. Severity 'fout' means the register says something impossible or unusable;
'waarschuwing' means it is probably a slip that the tool can still work around.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd

from .config import Config
from .model import Register, allowed_values
from .parse import format_date_nl
from .schema import BY_KEY, CLOSED, COLUMNS, column_letter, fold

MAX_NUMBER_LENGTH = 40


def number_problem(number: str) -> tuple[str, str] | None:
    """(code, Dutch message) when a Klachtnummer cannot serve as a safe, unique name."""
    if len(number) > MAX_NUMBER_LENGTH:
        return "klachtnummer_te_lang", (f"het klachtnummer is {len(number)} tekens lang; "
                                        f"maximaal {MAX_NUMBER_LENGTH}")
    if number and not _NUMBER_RE.fullmatch(number):
        odd = sorted({ch for ch in number if not _NUMBER_RE.fullmatch(ch)})
        shown = ", ".join(f"'{ch}'" if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"
                          for ch in odd[:5])
        return "klachtnummer_tekens", f"het klachtnummer bevat tekens die niet mogen ({shown})"
    return None


def number_key(number: str) -> str:
    """What two numbers that a person would read as the same have in common: K2026/099 and
    k2026-099 both give 'k2026099'."""
    folded = unicodedata.normalize("NFKC", number).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


class Severity(StrEnum):
    """How bad a finding is; the value is what `controleer --json` prints as ``ernst``."""

    FOUT = "fout"  # the register says something impossible or unusable (exit 1)
    WAARSCHUWING = "waarschuwing"  # probably a slip the tool can work around


FOUT = Severity.FOUT
WAARSCHUWING = Severity.WAARSCHUWING

#: Every kind of finding: stable code -> (severity, what it means). Messages may change; codes don't.
FINDING_KINDS: dict[str, tuple[Severity, str]] = {
    "tabblad_leeg": (FOUT, "het tabblad van het register is leeg (nog niet ingericht)"),
    "kolom_ontbreekt": (FOUT, "een verplichte kolom ontbreekt in de kopregel"),
    "kolom_dubbel": (WAARSCHUWING, "een kolom staat twee keer in de kopregel"),
    "verplicht_leeg": (FOUT, "een verplichte cel is leeg"),
    "geen_datum": (FOUT, "een datumcel bevat geen leesbare datum"),
    "onbekende_waarde": (FOUT, "een keuzekolom bevat een waarde die niet bestaat"),
    "niet_in_lijst": (WAARSCHUWING, "een categorie of oorzaak staat niet in de lijst uit de configuratie"),
    "datum_in_toekomst": (FOUT, "een datum ligt na de peildatum"),
    "datum_voor_ontvangst": (FOUT, "een datum ligt vóór de Datum ontvangst"),
    "klachtnummer_dubbel": (FOUT, "een klachtnummer komt vaker voor"),
    "standpuntdatum_ontbreekt": (FOUT, "Status is afgehandeld maar Datum standpunt ontbreekt (de klacht wordt "
                                       "niet geanonimiseerd zolang de datum ontbreekt)"),
    "afhandelwijze_ontbreekt": (WAARSCHUWING, "Status is afgehandeld maar Wijze van afhandeling ontbreekt"),
    "behandelaar_is_betrokkene": (WAARSCHUWING, "de Behandelaar is de Betrokken medewerker over wie de klacht gaat"),
    "uitstel_laatste_dag": (WAARSCHUWING, "het uitstel is pas op de laatste dag van de termijn gemeld"),
    "status_niet_afgehandeld": (WAARSCHUWING, "Datum standpunt is ingevuld maar Status is niet afgehandeld"),
    "standpunt_ontbreekt": (WAARSCHUWING, "Status is afgehandeld maar Standpunt ontbreekt"),
    "uitstel_te_laat": (WAARSCHUWING, "het uitstel is na het einde van de termijn gemeld"),
    "verlengd_tot_ontbreekt": (WAARSCHUWING, "uitstel gemeld maar Verlengd tot ontbreekt"),
    "uitsteldatum_ontbreekt": (WAARSCHUWING, "Verlengd tot ingevuld maar Datum uitstelbericht ontbreekt"),
    "verlenging_te_lang": (WAARSCHUWING, "de verlenging is langer dan de regeling toestaat"),
    "email_ongeldig": (WAARSCHUWING, "het e-mailadres is ongeldig"),
    "email_regeleinde": (FOUT, "een e-mailcel bevat een regeleinde of stuurteken"),
    "email_meerdere": (FOUT, "een e-mailcel bevat meer dan één e-mailadres"),
    "datum_onwaarschijnlijk": (FOUT, "een datum ligt vóór 1990 of na 2100"),
    "klachtnummer_tekens": (FOUT, "een klachtnummer bevat andere tekens dan letters, cijfers en - / . _"),
    "klachtnummer_te_lang": (FOUT, f"een klachtnummer is langer dan {MAX_NUMBER_LENGTH} tekens"),
    "klachtnummer_lijkt_dubbel": (FOUT, "twee klachtnummers verschillen alleen in hoofdletters of leestekens"),
    "geen_bedrag": (WAARSCHUWING, "een bedragcel bevat geen leesbaar bedrag (telt niet mee in de analyse)"),
    "publiek_persoonsgegeven": (FOUT, "een tekst die op de website komt (Maatregel, instelling) bevat een "
                                      "persoonsgegeven uit het register"),
}
_NUMBER_RE = re.compile(r"[A-Za-z0-9._/-]+")
_EMAIL_RE = re.compile(r"\s*[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}\s*")
_NON_WORD = re.compile(r"[\W_]+")


def _number_key(number: str) -> str:
    """Two numbers with the same key differ only in case, width or punctuation."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", number).casefold())
DATE_HINT = "schrijf bijvoorbeeld 3-2-2026, 2026-02-03 of 3 februari 2026"


@dataclass(frozen=True)
class Finding:
    """One problem in the register, located by cell."""

    cel: str
    klachtnummer: str
    ernst: Severity
    melding: str
    hint: str | None = None
    sheet_row: int = 0
    code: str = ""  # a key of FINDING_KINDS

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("sheet_row")
        data["ernst"] = str(self.ernst)
        return data

    @classmethod
    def of(cls, code: str, cel: str, klachtnummer: str, melding: str, hint: str | None = None,
           sheet_row: int = 0) -> Finding:
        """A finding of a declared kind; its severity comes from FINDING_KINDS."""
        return cls(cel, klachtnummer, FINDING_KINDS[code][0], melding, hint, sheet_row, code)


def _h(key: str) -> str:
    return BY_KEY[key].header


class _Collector:
    def __init__(self, reg: Register):
        self.reg = reg
        self.numbers = reg.frame["complaint_no"].to_numpy()
        self.findings: list[Finding] = []

    def add(self, mask: np.ndarray, key: str, code: str, message: Any, hint: Any = None) -> None:
        """Add a finding of kind ``code`` for every row in ``mask``; message/hint may be callables of the row."""
        rows = np.flatnonzero(mask)
        if not len(rows):
            return
        # Per finding only what differs: the column's letters, the severity and the row numbers
        # are looked up once per call (this loop is the hot path of a register full of errors).
        severity = FINDING_KINDS[code][0]
        letters = column_letter(self.reg.positions[key]) if key in self.reg.positions else None
        sheet_rows = self.reg.sheet_rows[rows].tolist()
        append = self.findings.append
        for i, row in zip(rows.tolist(), sheet_rows, strict=True):
            append(Finding(f"{letters}{row}" if letters is not None else f"rij {row}", self.numbers[i], severity,
                           message(i) if callable(message) else message,
                           hint(i) if callable(hint) else hint, int(row), code))


def validate(reg: Register, config: Config, peildatum: dt.date,
             deadlines: pd.DataFrame | None = None) -> list[Finding]:
    """Every finding in the register, ordered by row and column."""
    c = _Collector(reg)
    frame = reg.frame
    header_findings = _check_headers(reg)
    present = set(reg.positions)

    for column in COLUMNS:
        key = column.key
        if key not in present:
            continue
        if column.required:
            empty = (np.isnat(reg.dates(key)) & ~reg.invalid[key]) if column.kind == "date" \
                else reg.blank(key) & ~reg.invalid.get(key, False)
            c.add(empty, key, "verplicht_leeg", f"{column.header} ontbreekt")
        if column.kind == "date":
            raw = reg.raw[key]
            odd = reg.implausible.get(key, np.zeros(len(raw), dtype=bool))
            c.add(reg.invalid[key] & ~odd, key, "geen_datum",
                  lambda i, raw=raw, key=key: _not_a_date(raw[i], key), DATE_HINT)
            c.add(odd, key, "datum_onwaarschijnlijk",
                  lambda i, raw=raw, key=key: f"{_h(key)} {_shown(raw[i])} ligt "
                                              f"{'vóór 1990' if _year(raw[i]) < 1990 else 'na 2100'}",
                  "controleer het jaartal")
        elif column.kind in ("enum", "list", "urgency"):
            _check_enum(c, reg, key, config)
        elif column.kind == "amount":
            raw = reg.raw[key]
            c.add(reg.amounts(key)[1], key, "geen_bedrag",
                  lambda i, raw=raw, key=key: f"'{_shown(raw[i])}' in {_h(key)} is geen bedrag",
                  "schrijf een getal in euro, bijvoorbeeld 50 of 49,95")

    today = np.datetime64(peildatum, "D")
    received = reg.dates("received")
    for key in ("received", "acknowledged", "extension_sent", "decided", "anonymised"):
        if key in present:
            dates = reg.dates(key)
            c.add(dates > today, key, "datum_in_toekomst",
                  lambda i, d=dates, k=key: f"{_h(k)} {format_date_nl(d[i])} ligt in de toekomst",
                  "controleer het jaartal")
    for key in ("acknowledged", "extension_sent", "decided"):
        if key in present:
            dates = reg.dates(key)
            c.add(dates < received, key, "datum_voor_ontvangst",
                  lambda i, d=dates, k=key: f"{_h(k)} ({format_date_nl(d[i])}) ligt vóór de "
                                            f"{_h('received')} ({format_date_nl(received[int(i)])})")

    numbers = frame["complaint_no"].to_numpy()
    if "complaint_no" in present and len(numbers):
        _check_numbers(c, numbers)
        filled = numbers != ""
        repeat = pd.Series(numbers).duplicated(keep="first").to_numpy() & filled
        first_row: dict[str, int] = {}
        if repeat.any():
            repeated = set(numbers[repeat])
            for i in np.flatnonzero(filled):
                if numbers[i] in repeated:
                    first_row.setdefault(numbers[i], int(reg.sheet_rows[i]))
        c.add(repeat, "complaint_no", "klachtnummer_dubbel",
              lambda i: f"klachtnummer {numbers[i]} komt vaker voor (ook in rij {first_row[numbers[int(i)]]})",
              "geef elke klacht een eigen nummer")

    status = frame["status"].to_numpy()
    decided = reg.dates("decided")
    if "status" in present:
        if "decided" in present:
            c.add((status == CLOSED) & np.isnat(decided) & ~reg.invalid["decided"], "decided", "standpuntdatum_ontbreekt",
                  f"Status is '{CLOSED}' maar {_h('decided')} ontbreekt; de bewaartermijn kan niet ingaan",
                  "vul de datum in waarop het standpunt is meegedeeld; tot dan wordt de klacht niet "
                  "geanonimiseerd")
        if "method" in present:
            c.add((status == CLOSED) & (frame["method"].to_numpy() == "") & ~reg.invalid["method"], "method",
                  "afhandelwijze_ontbreekt", f"Status is '{CLOSED}' maar {_h('method')} ontbreekt",
                  "kies gesprek, telefonisch, schriftelijk of e-mail")
        c.add(~np.isnat(decided) & (status != CLOSED) & (status != "") & ~reg.invalid["status"], "status",
              "status_niet_afgehandeld", lambda i: f"{_h('decided')} is ingevuld maar Status is '{status[i]}'",
              f"zet Status op '{CLOSED}' als de klacht is afgehandeld")
        if "outcome" in present:
            c.add((status == CLOSED) & (frame["outcome"].to_numpy() == "") & ~reg.invalid["outcome"],
                  "outcome", "standpunt_ontbreekt", f"Status is '{CLOSED}' maar {_h('outcome')} ontbreekt",
                  "kies gegrond, deels gegrond, ongegrond of ingetrokken")

    if deadlines is not None:
        _check_extensions(c, reg, deadlines, present)

    if "employee" in present and "handler" in present:
        employee, handler = reg.text("employee"), reg.text("handler")
        same = np.zeros(len(employee), dtype=bool)
        for i in np.flatnonzero(employee != ""):  # usually few rows name an employee
            same[i] = fold(employee[i]) == fold(handler[i])
        c.add(same, "handler", "behandelaar_is_betrokkene",
              lambda i: f"de klacht gaat over {employee[i]}, die haar ook behandelt",
              "laat de klacht zo mogelijk door een ander behandelen")

    if "email" in present:
        raw = reg.raw["email"]
        match = _EMAIL_RE.fullmatch  # a plain loop: pandas' .str adds ~3x per cell; non-text is not an address
        valid = np.array([match(v) is not None if v.__class__ is str else False for v in raw], dtype=bool)
        bad = ~valid & (raw != None) & (raw != "")  # noqa: E711 - elementwise on an object array
        if bad.any():
            bad &= ~reg.blank("email")  # only now look for cells holding nothing but spaces
        emails = reg.text("email") if bad.any() else raw
        bad &= np.isnat(reg.dates("anonymised"))  # an anonymised row holds a marker, not an address
        if bad.any():
            from .policy import address_problem

            # Only the few bad cells are classified; the raw cell, so an inner line break counts.
            kinds = np.full(len(raw), "", dtype=object)
            for i in np.flatnonzero(bad):
                kinds[i] = (address_problem(str(raw[i]) if raw[i] is not None else "") or ("", ""))[0]
            shown = {i: " ".join(str(raw[i]).split()) for i in np.flatnonzero(bad)}
            c.add(bad & (kinds == "email_regeleinde"), "email", "email_regeleinde",
                  lambda i: f"'{shown[i]}' bevat een regeleinde of stuurteken",
                  "zet er precies één e-mailadres in, zonder regeleinde")
            c.add(bad & (kinds == "email_meerdere"), "email", "email_meerdere",
                  lambda i: f"'{shown[i]}' bevat meer dan één e-mailadres",
                  "zet er precies één e-mailadres in (een tweede in een notitie)")
            c.add(bad & ~np.isin(kinds, ["email_regeleinde", "email_meerdere"]), "email", "email_ongeldig",
                  lambda i: f"'{emails[i]}' is geen geldig e-mailadres")

    from .boundary import published_findings  # the public boundary (register/boundary.py)

    c.findings.extend(published_findings(reg, config))
    # Header problems first, then by sheet row (within a row: the order the checks ran).
    return header_findings + sorted(c.findings, key=lambda f: f.sheet_row)


def _check_numbers(c: _Collector, numbers: np.ndarray) -> None:
    """Characters, length, and numbers that differ only in case or punctuation (their letters
    would get names a person cannot tell apart)."""
    lengths = np.fromiter(map(len, numbers), dtype=np.int64, count=len(numbers))
    # The key a person reads: NFKC, case folded, without punctuation. For a plain number (ASCII
    # letters, digits and . _ / -, what _NUMBER_RE allows) that is lower() without the punctuation,
    # and the same pass tells whether it is plain; only the others go through _number_key.
    keys = [v.lower().replace("-", "").replace(".", "").replace("/", "").replace("_", "") for v in numbers]
    plain = np.array([(k.isalnum() or not k) and v.isascii() and v != "" for v, k in zip(numbers, keys, strict=True)],
                     dtype=bool)
    suspect = ((lengths > MAX_NUMBER_LENGTH) | ~plain) & (lengths > 0)
    problems: dict[str, tuple[np.ndarray, dict[int, str]]] = {}  # code -> (rows, message per row)
    for i in np.flatnonzero(suspect):
        code, message = number_problem(numbers[i]) or ("", "")
        if code:
            mask, messages = problems.setdefault(code, (np.zeros(len(numbers), dtype=bool), {}))
            mask[i] = True
            messages[int(i)] = message
    for code, (mask, messages) in problems.items():  # one pass per kind, not one per row
        c.add(mask, "complaint_no", code, lambda i, m=messages: m[int(i)],
              "gebruik alleen letters, cijfers en - / . _ (bijvoorbeeld K2026-014)")
    for i in np.flatnonzero(~plain & (lengths > 0)):
        keys[i] = _number_key(numbers[i])
    codes, _ = pd.factorize(np.array(keys, dtype=object))
    filled = np.flatnonzero(lengths > 0)
    first = np.full(len(numbers), -1, dtype=np.int64)  # per key: the first filled row holding it
    first[codes[filled][::-1]] = filled[::-1]
    first_of_row = np.where(lengths > 0, first[codes], -1)
    clash = (lengths > 0) & (numbers != numbers[first_of_row])
    first_number = numbers[first_of_row]
    first_row = c.reg.sheet_rows[first_of_row]
    c.add(clash, "complaint_no", "klachtnummer_lijkt_dubbel",
          lambda i: f"klachtnummer {numbers[i]} is bijna gelijk aan {first_number[i]} (rij {int(first_row[i])})",
          "geef elke klacht een nummer dat ook zonder hoofdletters en leestekens uniek is")


def _year(value: object) -> int:
    from .parse import parse_date_value

    day = parse_date_value(value)[0]
    return day.year if day else 0


def _not_a_date(value: object, key: str) -> str:
    if isinstance(value, dt.time):  # what a reader gives for a date before 1900 (no serial number)
        return (f"{_h(key)} bevat alleen een tijd, geen datum (een datum vóór 1900 kan een spreadsheet "
                f"niet als datum opslaan)")
    return f"'{_shown(value)}' in {_h(key)} is geen datum"


def _shown(value: object) -> str:
    from .parse import cell_text

    text = cell_text(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_headers(reg: Register) -> list[Finding]:
    findings: list[Finding] = []
    row = reg.header_row
    if not any(reg.headers) and not len(reg.frame):
        return [Finding.of("tabblad_leeg", f"rij {row}", "", "het tabblad is leeg: er is nog geen kopregel",
                           "voer 'klachten inrichten' uit; dat zet de kolommen klaar", row)]
    used = set(reg.positions.values())
    unmatched = {fold(h): (i, h) for i, h in enumerate(reg.headers) if h and i not in used}

    for key in reg.missing_required:
        hint = f"voeg de kolom toe aan de kopregel (rij {row})"
        close = difflib.get_close_matches(fold(_h(key)), list(unmatched), n=1, cutoff=0.7)
        if close:
            idx, text = unmatched[close[0]]
            hint = f"bedoelde u kolom {column_letter(idx)} '{text}'? Noem die '{_h(key)}'"
        findings.append(Finding.of("kolom_ontbreekt", f"rij {row}", "", f"verplichte kolom '{_h(key)}' ontbreekt",
                                   hint, row))
    for key, idx in reg.duplicate_headers:
        first = column_letter(reg.positions[key])
        findings.append(Finding.of("kolom_dubbel", f"{column_letter(idx)}{row}", "",
                                   f"kolom '{_h(key)}' staat er twee keer; alleen kolom {first} wordt gelezen",
                                   sheet_row=row))
    return findings


_STRICT_ENUMS = {"channel", "status", "outcome", "urgency", "satisfied", "method"}


def _check_enum(c: _Collector, reg: Register, key: str, config: Config) -> None:
    raw = reg.raw[key]
    choices = allowed_values(key, config)
    code = "onbekende_waarde" if key in _STRICT_ENUMS else "niet_in_lijst"
    folded = {fold(ch): ch for ch in choices}

    def hint(i: int) -> str:
        close = difflib.get_close_matches(fold(_shown(raw[i])), list(folded), n=1, cutoff=0.5)
        allowed = ", ".join(choices)
        return f"bedoelde u '{folded[close[0]]}'? Toegestaan: {allowed}" if close else f"toegestaan: {allowed}"

    if key == "urgency":
        message = lambda i: f"Urgentie '{_shown(raw[i])}' bestaat niet; gebruik 1 t/m 8"  # noqa: E731
    else:
        message = lambda i: f"'{_shown(raw[i])}' is geen bekende waarde voor {_h(key)}"  # noqa: E731
    c.add(reg.invalid[key], key, code, message, hint)


def _check_extensions(c: _Collector, reg: Register, deadlines: pd.DataFrame, present: set[str]) -> None:
    sent = reg.dates("extension_sent")
    until = reg.dates("extended_until")
    original = deadlines["decision_due_original"].to_numpy(dtype="datetime64[D]")
    limit = deadlines["extension_limit"].to_numpy(dtype="datetime64[D]")
    if "extension_sent" in present:
        c.add(~np.isnat(sent) & (sent > original), "extension_sent", "uitstel_te_laat",
              lambda i: f"uitstel is pas op {format_date_nl(sent[int(i)])} gemeld, na het einde van de "
                        f"termijn ({format_date_nl(original[int(i)])}); het telt niet als geldig uitstel",
              "meld uitstel voordat de termijn afloopt")
        c.add(~np.isnat(sent) & (sent == original), "extension_sent", "uitstel_laatste_dag",
              lambda i: f"uitstel is pas op de laatste dag van de termijn ({format_date_nl(sent[int(i)])}) gemeld",
              "meld uitstel ruim voordat de termijn afloopt")
        if "extended_until" in present:
            c.add(~np.isnat(sent) & np.isnat(until) & ~reg.invalid["extended_until"], "extended_until",
                  "verlengd_tot_ontbreekt", "uitstel gemeld maar Verlengd tot ontbreekt", "vul de nieuwe uiterste datum in")
            c.add(np.isnat(sent) & ~np.isnat(until) & ~reg.invalid["extension_sent"], "extension_sent",
                  "uitsteldatum_ontbreekt", "Verlengd tot is ingevuld maar Datum uitstelbericht ontbreekt",
                  "vul de datum in waarop het uitstel aan de klager is gemeld")
    if "extended_until" in present:
        c.add(~np.isnat(until) & (until > limit), "extended_until", "verlenging_te_lang",
              lambda i: f"verlenging tot {format_date_nl(until[int(i)])} is langer dan toegestaan "
                        f"(uiterlijk {format_date_nl(limit[int(i)])})",
              "de regeling staat deze verlenging niet toe; de oorspronkelijke termijn blijft gelden")


def has_errors(findings: list[Finding]) -> bool:
    return any(f.ernst is Severity.FOUT for f in findings)

