"""Online intake: responses of a Google Form, linked to the register's spreadsheet, become
complaints in the register.

The form writes each response as a row in its own tab ([intake] antwoorden_tabblad). An import
is two writes, in this order, each sent with ``write_checked`` (a lost answer is re-read, never
re-sent blindly):

1. write-ahead: the new Klachtnummer is written into a column "Klachtnummer" of the responses
   tab, next to the response, marked "(wordt ingevoerd)";
2. the complaint is added to the register under that number (the tab grows when it is full);
3. the mark becomes the bare number: this response is in the register.

A pending response whose Klachtnummer is not yet in the register is added by the next run (a
crash between the writes loses nothing); a response with a bare number is never added again,
also when the owner deleted its row from the register: the import says so once and marks it
"(verwijderd uit het register)". Numbers are K<year>-<next>, after the highest number of that
year in the register and in the responses tab, so a reserved number is never handed out twice.

Answers are written as a sheet can hold them: control characters removed (newline and tab
kept), each cell at most 50,000 characters; the rest of a longer text is kept in the private
folder and the cell says where.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from register.errors import ConfigError, SourceError
from register.parse import cell_text, parse_date_value, to_serial
from register.plural import count
from register.schema import BY_KEY, COLUMNS, column_letter, fold, header_positions
from register.sources.base import missing_tab_message

if TYPE_CHECKING:
    from register.config import Config
    from register.sources.google import SheetsConnection

CHANNEL = "webformulier"
STATUS = "nieuw"
MARK_HEADER = "Klachtnummer"
TIMESTAMP_HEADERS = {"tijdstempel", "timestamp"}
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SERIAL_EPOCH = dt.datetime(1899, 12, 30, tzinfo=dt.UTC)  # wall-clock arithmetic; relabelled below
_NUMBER_RE = re.compile(r"^K(\d{4})-(\d+)$")
_TEXT_STAMPS = ("%d-%m-%Y %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y %H:%M", "%d/%m/%Y %H:%M")
NO_DESCRIPTION = "(geen omschrijving ingevuld op het formulier)"
PENDING = "wordt ingevoerd"
REMOVED = "verwijderd uit het register"
_MARK_RE = re.compile(r"^(?P<number>\S+)\s*\((?P<state>[^)]*)\)\s*$")
CELL_LIMIT = 50_000  # characters a Google Sheets cell holds
OVERFLOW_DIR = "formulier-lange-teksten"


def clean_text(text: str) -> str:
    """Text as a cell may hold it: line ends as newline, every other control character
    (NUL, escape codes, C1 controls) removed; newline and tab kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def parse_mark(text: str) -> tuple[str, str]:
    """(Klachtnummer, state) of a mark: state '' (in the register), PENDING or REMOVED."""
    m = _MARK_RE.match(text.strip())
    if m and m.group("state") in (PENDING, REMOVED):
        return m.group("number"), m.group("state")
    return text.strip(), ""


def mark_text(number: str, state: str = "") -> str:
    return f"{number} ({state})" if state else number


@dataclass(frozen=True)
class Response:
    """One form response: its sheet row in the responses tab and what was answered."""

    row: int  # 1-based row in the responses tab
    received: dt.date  # the timestamp's date in Europe/Amsterdam
    answers: tuple[tuple[str, str], ...]  # (question title, answer) in the tab's column order, non-empty only
    mark: str  # the Klachtnummer already written next to it, or ""
    state: str = ""  # the mark's state: "" (in the register), PENDING or REMOVED


@dataclass
class IntakeReport:
    """What an import did (or, in a dry run, would do)."""

    dry: bool
    tab: str
    imported: list[tuple[str, Response]] = field(default_factory=list)
    already: int = 0
    problems: list[str] = field(default_factory=list)
    removed: list[tuple[str, Response]] = field(default_factory=list)  # deleted from the register since

    def lines(self) -> list[str]:
        out = []
        if self.imported:
            n = len(self.imported)
            verb = ("zou" if n == 1 else "zouden") if self.dry else ("is" if n == 1 else "zijn")
            out.append(f"{count(n, 'reactie', 'reacties')} van het formulier {verb} in het register gezet:")
            out += [f"  {number} (ontvangen {r.received.isoformat()}, rij {r.row} van {self.tab})"
                    for number, r in self.imported]
        else:
            out.append("Geen nieuwe reacties van het formulier.")
        if self.already:
            out.append(f"{count(self.already, 'reactie stond', 'reacties stonden')} al in het register.")
        out += [f"{number} (rij {r.row} van {self.tab}) staat niet meer in het register; deze reactie wordt "
                "niet opnieuw ingevoerd." for number, r in self.removed]
        return out

    def summary(self) -> str:
        head = (f"{count(len(self.imported), 'nieuwe klacht', 'nieuwe klachten')} uit het formulier"
                if self.imported else "geen nieuwe reacties van het formulier")
        numbers = ", ".join(n for n, _ in self.imported)
        removed = ", ".join(n for n, _ in self.removed)
        return (head + (f" ({numbers})" if numbers else "")
                + (f"; niet teruggezet omdat ze uit het register zijn verwijderd: {removed}" if removed else ""))


def require_google(config: Config) -> None:
    """Intake lands in the register's own spreadsheet: a local .xlsx register cannot take it."""
    if config.register.bron != "google":
        raise ConfigError("het online klachtenformulier importeren kan alleen als het register een Google Sheet is "
                          "([register] bron = \"google\"); met een .xlsx-register komen klachten per post, e-mail, "
                          "telefoon of het PDF-formulier binnen")


def handler_name(config: Config) -> str:
    return config.intake.behandelaar or config.klachtbehandeling.klachtverantwoordelijke


# -- reading ------------------------------------------------------------------------------------
def form_timestamp(value: Any, zone: str) -> dt.date | None:
    """The Amsterdam date of a form timestamp: a serial date-time in the sheet's time zone, or text."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        tz = AMSTERDAM
    moment: dt.datetime | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        moment = (SERIAL_EPOCH + dt.timedelta(days=float(value))).replace(tzinfo=tz)
    elif isinstance(value, str):
        for pattern in _TEXT_STAMPS:
            try:
                moment = dt.datetime.strptime(value.strip(), pattern).replace(tzinfo=tz)
                break
            except ValueError:
                continue
    if moment is None:
        return None
    return moment.astimezone(AMSTERDAM).date()


def _answer_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) if not isinstance(value, str) else clean_text(value).strip()


def read_responses(conn: SheetsConnection, tab: str) -> tuple[list[Response], int | None, list[str]]:
    """The responses of the form tab, the 0-based column of its Klachtnummer mark (None when
    the column does not exist yet) and the rows that could not be read (as Dutch lines)."""
    text_rows = conn.read_values(tab, dates_as_text=True)
    stamps = conn.read_values(tab, "A:A")
    if not text_rows:
        return [], None, []
    header = [clean_text(cell_text(v)).strip() if v is not None else "" for v in text_rows[0]]
    folded = [fold(h) for h in header]
    mark_col = folded.index(fold(MARK_HEADER)) if fold(MARK_HEADER) in folded else None
    zone = conn.time_zone()
    responses, problems = [], []
    for i, row in enumerate(text_rows[1:], start=1):
        cells = list(row) + [""] * (len(header) - len(row))
        answers = tuple((header[c], _answer_text(v)) for c, v in enumerate(cells[:len(header)])
                        if c > 0 and c != mark_col and v is not None and _answer_text(v))
        mark, state = parse_mark(cell_text(cells[mark_col])) if mark_col is not None else ("", "")
        stamp = stamps[i][0] if i < len(stamps) and stamps[i] else None
        if stamp in (None, "") and not answers and not mark:
            continue  # an emptied row
        received = form_timestamp(stamp, zone)
        if received is None:
            problems.append(f"rij {i + 1} van {tab}: geen geldig tijdstempel ({stamp!r}); deze reactie is overgeslagen")
            continue
        responses.append(Response(i + 1, received, answers, mark, state))
    return responses, mark_col, problems


def register_numbers(values: list[list[Any]]) -> tuple[int, dict[str, int], dict[str, int]]:
    """(header index, schema positions, Klachtnummer -> 0-based row in ``values``)."""
    top = 0
    for i, row in enumerate(values[:10]):
        if any(isinstance(v, str) and fold(v) == "klachtnummer" for v in row):
            top = i
            break
    positions, _ = header_positions(values[top] if values else [])
    col = positions.get("complaint_no")
    numbers: dict[str, int] = {}
    if col is not None:
        for r, row in enumerate(values[top + 1:], start=top + 1):
            if col < len(row) and row[col] not in (None, ""):
                numbers.setdefault(cell_text(row[col]).strip(), r)
    return top, positions, numbers


def next_numbers(taken: list[str], years: list[int]) -> list[str]:
    """New numbers K<year>-<n>, one per year in ``years`` (in order), after the highest taken
    number of that year, with the digit width the register already uses (at least 3)."""
    highest: dict[int, int] = {}
    width: dict[int, int] = {}
    for number in taken:
        m = _NUMBER_RE.match(number)
        if m:
            year, n = int(m.group(1)), int(m.group(2))
            highest[year] = max(highest.get(year, 0), n)
            width[year] = max(width.get(year, 3), len(m.group(2)))
    out = []
    for year in years:
        highest[year] = highest.get(year, 0) + 1
        out.append(f"K{year}-{highest[year]:0{width.get(year, 3)}d}")
    return out


# -- composing a register row -------------------------------------------------------------------
def complaint_values(config: Config, response: Response, number: str) -> dict[str, Any]:
    """Register values (schema key -> value) for one response."""
    questions = {fold(q): key for q, key in config.intake.vragen.items()}
    filled: dict[str, list[tuple[str, str]]] = {}
    unmapped: list[tuple[str, str]] = []
    for question, answer in response.answers:
        key = questions.get(fold(question))
        if key is None:
            unmapped.append((question, answer))
        else:
            filled.setdefault(key, []).append((question, answer))
    values: dict[str, Any] = {}
    for key, items in filled.items():
        if key == "description":
            continue
        values[key] = items[0][1] if len(items) == 1 else "\n".join(f"{q} {a}" for q, a in items)
    described = filled.get("description", [])
    lines = [described[0][1]] if described else []
    lines += [f"{_label(q)} {a}" for q, a in described[1:] + unmapped]
    if "salutation" in values:
        values["salutation"] = values["salutation"].lower()
    values.update({"complaint_no": number, "received": response.received, "channel": CHANNEL,
                   "description": "\n".join(lines) or NO_DESCRIPTION, "handler": handler_name(config),
                   "status": STATUS})
    return values


def _label(question: str) -> str:
    """A question as a label before its answer: 'Wanneer gebeurde het?' stays, 'Naam' -> 'Naam:'."""
    return question if question.endswith(("?", ":")) else f"{question}:"


# -- importing ----------------------------------------------------------------------------------
def import_responses(config: Config, dry: bool = True, session: Any = None,
                     sleep: Callable[[float], None] = time.sleep,
                     notify: Callable[[str], None] | None = None) -> IntakeReport:
    """Add every form response that is not yet in the register (see the module docstring);
    ``notify`` receives a line whenever a retry makes it wait."""
    from register.locks import register_lock
    from register.sources.google import SheetsConnection

    require_google(config)
    conn = SheetsConnection(config, session=session, sleep=sleep, notify=notify)
    tab = config.intake.antwoorden_tabblad
    if tab not in conn.titles():
        raise SourceError(missing_tab_message(tab, conn.titles(), "de Google Sheet")
                          + "; koppel het formulier aan deze sheet (Reacties > Koppelen aan Spreadsheets) of "
                            "zet [intake] antwoorden_tabblad")
    report = IntakeReport(dry=dry, tab=tab)
    if dry:
        _plan_marks(conn, tab, report, record=True)
        _plan_confirm(conn, tab, report)
        return report
    with register_lock(config):
        conn.write_checked("klachtnummers bij de formulierreacties zetten",
                           lambda: _plan_marks(conn, tab, IntakeReport(dry=False, tab=tab)), conn.values_batch_update)
        final = IntakeReport(dry=False, tab=tab)
        planned: dict[str, Response] = {}  # across attempts: a lost answer's rows are found in place on re-read

        def plan() -> list[dict[str, Any]]:
            data = _plan_rows(conn, tab, final)
            planned.update(final.imported)
            return data

        conn.write_checked("klachten uit het formulier toevoegen", plan, conn.values_batch_update)
        confirm = IntakeReport(dry=False, tab=tab)
        removed: dict[str, Response] = {}

        def plan_confirm() -> list[dict[str, Any]]:
            data = _plan_confirm(conn, tab, confirm)
            removed.update(confirm.removed)
            return data

        conn.write_checked("formulierreacties als ingevoerd markeren", plan_confirm, conn.values_batch_update)
        report.problems = final.problems
        report.imported = sorted(planned.items(), key=lambda item: item[1].row)
        report.already = final.already - (len(planned) - len(final.imported))
        report.removed = sorted(removed.items(), key=lambda item: item[1].row)
    return report


def _read_state(conn: SheetsConnection, tab: str,
                report: IntakeReport) -> tuple[list[Response], int | None, list[list[Any]]]:
    conn._metadata = None  # after a lost answer the sheet may have changed: read it afresh
    responses, mark_col, problems = read_responses(conn, tab)
    report.problems = problems
    register = conn.read_values(conn.tab)
    return responses, mark_col, register


def _plan_marks(conn: SheetsConnection, tab: str, report: IntakeReport, record: bool = False) -> list[dict[str, Any]]:
    """Write-ahead: the cells that give each unmarked response its new Klachtnummer (pending)."""
    responses, mark_col, register = _read_state(conn, tab, report)
    _, positions, numbers = register_numbers(register)
    if "complaint_no" not in positions:
        raise SourceError(f"het tabblad {conn.tab} heeft geen kolom Klachtnummer; voer eerst 'klachten inrichten' uit")
    new = [r for r in responses if not r.mark]
    report.already = sum(1 for r in responses if r.mark and r.mark in numbers)
    taken = list(numbers) + [r.mark for r in responses if r.mark]
    assigned = next_numbers(taken, [r.received.year for r in new])
    if record:
        report.imported = list(zip(assigned, new, strict=True))
        report.imported += [(r.mark, r) for r in responses if r.mark and r.state == PENDING and r.mark not in numbers]
        report.imported.sort(key=lambda item: item[1].row)
    if not new:
        return []
    from register.sources.google import quote_tab

    header_width = len((conn.read_values(tab, "1:1") or [[]])[0]) if mark_col is None else 0
    col = mark_col if mark_col is not None else header_width
    letter = column_letter(col)
    data = [{"range": f"{quote_tab(tab)}!{letter}{r.row}", "values": [[mark_text(number, PENDING)]]}
            for number, r in zip(assigned, new, strict=True)]
    if mark_col is None:
        data.insert(0, {"range": f"{quote_tab(tab)}!{letter}1", "values": [[MARK_HEADER]]})
    return data


def _plan_rows(conn: SheetsConnection, tab: str, report: IntakeReport) -> list[dict[str, Any]]:
    """Each pending response whose number is not yet in the register, as one whole-row range
    below the last row (so a part of the write is never half a complaint)."""
    from register.sources.google import quote_tab

    responses, _, register = _read_state(conn, tab, report)
    top, positions, numbers = register_numbers(register)
    report.imported, report.already = [], 0
    todo = []
    for r in responses:
        if not r.mark or r.state == REMOVED:
            continue
        at = numbers.get(r.mark)
        if at is None:
            if r.state == PENDING:
                todo.append(r)
            continue
        if _is_form_complaint(register[at], positions, r):
            report.already += 1
        else:
            report.problems.append(f"rij {r.row} van {tab} heeft Klachtnummer {r.mark}, maar {r.mark} in het "
                                   "register is een andere klacht; zet deze reactie met de hand in het register "
                                   "en pas het nummer in het formuliertabblad aan")
    schema_cols = sorted(positions[c.key] for c in COLUMNS if c.key in positions)
    last = top
    for i, cells in enumerate(register):
        if any(c < len(cells) and cells[c] not in (None, "") for c in schema_cols):
            last = max(last, i)
    data = []
    width = max(positions.values()) + 1
    for offset, r in enumerate(todo, start=1):
        sheet_row = last + offset + 1  # values[0] is sheet row 1
        values = complaint_values(conn.config, r, r.mark)
        for key in [k for k, v in values.items() if k not in positions and k != "description" and v not in (None, "")]:
            # An answer whose column this register lacks (an older sheet without Antwoord per) is
            # kept in Omschrijving, never dropped.
            values["description"] = f"{values['description']}\n{BY_KEY[key].header}: {values.pop(key)}"
        row: list[Any] = [None] * width
        for key, value in values.items():
            if key not in positions or value in (None, ""):
                continue
            cell = to_serial(value) if isinstance(value, dt.date) else value
            if isinstance(cell, str):
                cell = fit_cell(conn.config, r.mark, key, cell)
            row[positions[key]] = cell
        data.append({"range": f"{quote_tab(conn.tab)}!A{sheet_row}:{column_letter(width - 1)}{sheet_row}",
                     "values": [row]})
        report.imported.append((r.mark, r))
    return data


def _plan_confirm(conn: SheetsConnection, tab: str, report: IntakeReport) -> list[dict[str, Any]]:
    """The marks that change state: pending -> in the register (bare number); in the register ->
    removed, when the owner deleted the complaint (said once, in ``report.removed``)."""
    from register.sources.google import quote_tab

    responses, mark_col, register = _read_state(conn, tab, report)
    _, _, numbers = register_numbers(register)
    report.removed = []
    if mark_col is None:
        return []
    letter = column_letter(mark_col)
    data = []
    for r in responses:
        if r.state == PENDING and r.mark in numbers:
            data.append({"range": f"{quote_tab(tab)}!{letter}{r.row}", "values": [[mark_text(r.mark)]]})
        elif r.mark and not r.state and r.mark not in numbers:
            report.removed.append((r.mark, r))
            data.append({"range": f"{quote_tab(tab)}!{letter}{r.row}", "values": [[mark_text(r.mark, REMOVED)]]})
    return data


def fit_cell(config: Config, number: str, key: str, text: str) -> str:
    """``text`` as one cell holds it: at most CELL_LIMIT characters; a longer text is kept whole
    in the private folder and the cell ends with a note saying where."""
    if len(text) <= CELL_LIMIT:
        return text
    from register.schema import BY_KEY

    path = keep_overflow(config, number, BY_KEY[key].header, text)
    note = (f"\n[… ingekort: de volledige tekst ({len(text):,} tekens) staat in de privémap: "
            f"{path.relative_to(config.private_dir())}]").replace(",", ".")
    return text[:CELL_LIMIT - len(note)] + note


def keep_overflow(config: Config, number: str, column: str, text: str) -> Any:
    """Write the whole text of a cell that was too long into the private folder (0700/0600)."""
    from register.store import PrivateStore

    safe = re.sub(r"[^A-Za-z0-9-]+", "_", f"{number}-{column}").strip("_")
    path = config.private_dir() / OVERFLOW_DIR / f"{safe}.txt"
    PrivateStore(config).write_text(path, text, [number])  # 0700/0600, in the manifest for this number
    return path


def _is_form_complaint(row: list[Any], positions: dict[str, int], response: Response) -> bool:
    def value(key: str) -> Any:
        col = positions.get(key)
        return row[col] if col is not None and col < len(row) else None

    channel = fold(cell_text(value("channel")))
    return channel in ("", fold(CHANNEL)) and parse_date_value(value("received"))[0] in (None, response.received)

