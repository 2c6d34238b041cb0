"""The Google Sheet path against the Sheets v4 contract: a fresh sheet, the owner's rules,
lost answers, quotas, locales, the Feestdagen tab and `klachten verbinding`."""

import copy
import datetime as dt
import functools
import json
import random
import re

import pytest
import requests
from typer.testing import CliRunner

from generator.app.cli import app
from register.check import check_grid, check_register
from register.errors import SourceError
from register.parse import to_serial
from register.sheetsetup import (
    HOLIDAY_TAB,
    canonical_formula,
    closed_days,
    formula_separator,
    localise_formula,
    setup_register,
)
from register.sources import google as gsheet
from register.sources import open_source
from register.writeback import write_deadlines
from tests.conftest import BASE_TOML, HEADERS, complaint
from tests.sheets_fake import (
    DISCOVERY,
    SCHEMAS,
    AppliedThen,
    ContractViolation,
    FakeSheets,
)

runner = CliRunner()
PEIL = dt.date(2026, 11, 21)
GOOGLE = BASE_TOML.replace('[register]\nbron = "xlsx"\npad = "register.xlsx"\ntabblad = "Register"\n',
                           '[register]\nbron = "google"\nspreadsheet = "sheet-key-123"\ntabblad = "Register"\n')
CONDITION_TYPES = [t for t in SCHEMAS["BooleanCondition"]["properties"]["type"]["enum"]
                   if t not in ("CONDITION_TYPE_UNSPECIFIED",)]


@pytest.fixture
def cfg(make_config):
    return make_config(base=GOOGLE)


def kinds(fake, n=-1):
    return [next(iter(r)) for r in fake.batch_updates[n]["requests"]]


def apis(fake):
    return [r["api"] for r in fake.requests]


# -- the fake holds requests to the discovery document ----------------------------------------
def test_fake_rejects_what_the_discovery_document_does_not_allow():
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    session = fake.session()
    url = "https://sheets.googleapis.com/v4/spreadsheets/sheet-key-123"
    bad = [
        ("GET", url + "?includeGridData=ja", None, "is not a boolean"),
        ("GET", url + "?rangez=A1", None, "unknown query parameter 'rangez'"),
        ("GET", url + "/values/Register?valueRenderOption=RAW", None, "is not one of"),
        ("DELETE", url, None, "does not take DELETE"),
        ("GET", url + "/tabs", None, "no Sheets v4 method has the path"),
        ("GET", url + "?fields=sheets(propertiez)", None, "has no field 'propertiez'"),
        ("POST", url + ":batchUpdate", {"requests": [{"addSheet": {"properties": {"titel": "x"}}}]},
         "SheetProperties has no field 'titel'"),
        ("POST", url + ":batchUpdate", {"requests": [{"addSheet": {}, "appendDimension": {}}]}, "exactly one field"),
        ("POST", url + ":batchUpdate", {"requests": [{"addConditionalFormatRule": {"rule": {"booleanRule": {
            "condition": {"type": "CUSTOM_FORMULA"}, "format": {"backgroundColor": {"red": 1}}}}}}]},
         "deprecated field"),
        ("POST", url + "/values:batchUpdate", {"valueInputOption": "RAUW", "data": []}, "is not one of"),
        ("POST", url + ":batchUpdate", {"requests": [{"updateCells": {"rows": "x"}}]}, "expected an array"),
    ]
    for method, target, body, message in bad:
        with pytest.raises(ContractViolation, match=re.escape(message)):
            session.request(method, target, json=body)
    assert len(fake.violations) == len(bad)
    fake.violations.clear()


def test_fake_answers_like_the_api(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS], sheet_id=0)
    session = fake.session()
    url = "https://sheets.googleapis.com/v4/spreadsheets/sheet-key-123"
    missing = session.get(url + "/values/'Feestdagen'!A:B")
    assert missing.status_code == 400
    assert missing.json()["error"] == {"code": 400, "status": "INVALID_ARGUMENT",
                                       "message": "Unable to parse range: 'Feestdagen'!A:B"}
    assert session.get(url, params={"ranges": ["Register!1:2", "Feestdagen!A:B"]}).status_code == 400
    fake.add_tab("Info", [["x"]], sheet_id=5)
    only = session.get(url, params={"ranges": "Info!A1", "fields": "properties.locale,sheets.properties.title"})
    assert only.json() == {"properties": {"locale": "nl_NL"}, "sheets": [{"properties": {"title": "Info"}}]}
    reply = session.post(url + ":batchUpdate", json={"requests": [
        {"addSheet": {"properties": {"title": "Nieuw", "sheetId": 77}}},
        {"updateSheetProperties": {"properties": {"sheetId": 77, "gridProperties": {"frozenRowCount": 1}},
                                   "fields": "gridProperties.frozenRowCount"}}]}).json()
    assert reply["replies"][0]["addSheet"]["properties"]["title"] == "Nieuw" and reply["replies"][1] == {}
    assert session.post(url + ":batchUpdate", json={"requests": []}).json()["error"]["message"] == \
        "Must specify at least one request."
    again = session.post(url + ":batchUpdate", json={"requests": [
        {"updateSheetProperties": {"properties": {"sheetId": 77, "title": "Anders"}, "fields": "title"}},
        {"addSheet": {"properties": {"title": "Register"}}}]})
    assert again.status_code == 400 and "already exists" in again.json()["error"]["message"]
    assert "Anders" not in fake.tabs  # atomic: the first request of a refused batch is undone
    written = session.post(url + "/values:batchUpdate", json={"valueInputOption": "RAW", "data": [
        {"range": "Register!B2", "values": [[1, 2]]}]}).json()
    assert written["totalUpdatedCells"] == 2 and written["responses"][0]["updatedRange"] == "Register!B2"


# -- setup on a fresh spreadsheet -------------------------------------------------------------
@pytest.mark.parametrize("first_tab", ["Blad1", "Sheet1"])
def test_brand_new_spreadsheet_becomes_the_register(cfg, first_tab):
    fake = FakeSheets()
    fake.add_tab(first_tab, [], sheet_id=0)
    report = setup_register(cfg, PEIL, session=fake.session())
    assert apis(fake) == ["spreadsheets.get", "spreadsheets.get", "spreadsheets.batchUpdate"]
    assert report.changes[0] == (f"tabblad '{first_tab}' (het enige tabblad van de nieuwe sheet) hernoemd tot "
                                 "'Register' en als register gebruikt")
    assert list(fake.tabs) == ["Register", HOLIDAY_TAB]
    assert fake.tabs["Register"].values[0][:2] == ["Klachtnummer", "Datum ontvangst"]
    assert fake.tabs[HOLIDAY_TAB].values[0] == ["Datum", "Omschrijving"]
    fake.requests.clear()
    assert setup_register(cfg, PEIL, session=fake.session()).changes == []
    assert apis(fake) == ["spreadsheets.get", "spreadsheets.get"]
    grid = open_source(cfg, fake.session()).read()
    assert grid.values[0][0] == "Klachtnummer" and grid.gid == 0


def test_header_only_tab_is_set_up_once(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS], sheet_id=3)
    first = setup_register(cfg, PEIL, session=fake.session())
    assert f"tabblad {HOLIDAY_TAB} toegevoegd" in first.changes
    assert kinds(fake).index("addSheet") < len(kinds(fake)) - 1
    fake.requests.clear()
    again = setup_register(cfg, PEIL, session=fake.session())
    assert again.changes == [] and again.summary() == "Register was al ingericht: niets gewijzigd."
    assert not [r for r in fake.requests if r["method"] == "POST"]


@pytest.mark.parametrize("tabs,message", [
    (["Registre", "Info"], "tabblad 'Register' bestaat niet in de Google Sheet; wel aanwezig: 'Registre', 'Info' "
                           "(bedoelde u 'Registre'?)"),
    (["Blad1", "Blad2"], "tabblad 'Register' bestaat niet in de Google Sheet; wel aanwezig: 'Blad1', 'Blad2'"),
    (["Overzicht"], "tabblad 'Register' bestaat niet in de Google Sheet; wel aanwezig: 'Overzicht'"),
])
def test_missing_tab_names_the_tabs_that_exist(cfg, tabs, message):
    fake = FakeSheets()
    for title in tabs:
        fake.add_tab(title, [["x"]])
    with pytest.raises(SourceError) as err:
        setup_register(cfg, PEIL, session=fake.session())
    assert str(err.value) == message
    assert not [r for r in fake.requests if r["method"] == "POST"]


def test_blad1_with_a_title_row_is_refused(cfg):
    fake = FakeSheets()
    fake.add_tab("Blad1", [["Mijn boekhouding 2026"]])
    with pytest.raises(SourceError, match="rij 1 bevat geen bekende kolomkoppen"):
        setup_register(cfg, PEIL, session=fake.session())
    assert "Blad1" in fake.tabs


# -- the owner's rules ------------------------------------------------------------------------
def owner_rules(sheet_id: int) -> list[dict]:
    rng = {"sheetId": sheet_id, "startRowIndex": 1, "endRowIndex": 50, "startColumnIndex": 3, "endColumnIndex": 4}
    rules = []
    for n, kind in enumerate(CONDITION_TYPES):
        condition: dict = {"type": kind}
        if kind in ("NUMBER_BETWEEN", "NUMBER_NOT_BETWEEN", "DATE_BETWEEN", "DATE_NOT_BETWEEN"):
            condition["values"] = [{"userEnteredValue": "1"}, {"userEnteredValue": "9"}]
        elif kind in ("DATE_BEFORE", "DATE_AFTER", "DATE_ON_OR_BEFORE", "DATE_ON_OR_AFTER"):
            condition["values"] = [{"relativeDate": ["PAST_WEEK", "TODAY", "TOMORROW", "PAST_YEAR"][n % 4]}]
        elif kind == "CUSTOM_FORMULA":
            condition["values"] = [{"userEnteredValue": "=$D2>3"}]
        elif kind not in ("BLANK", "NOT_BLANK", "TEXT_IS_EMAIL", "TEXT_IS_URL", "DATE_IS_VALID", "BOOLEAN"):
            condition["values"] = [{"userEnteredValue": str(n)}]
        rules.append({"ranges": [rng], "booleanRule": {"condition": condition, "format": {
            "backgroundColorStyle": {"themeColor": "ACCENT1"}, "textFormat": {"bold": True}}}})
    rules.append({"ranges": [rng], "gradientRule": {
        "minpoint": {"type": "MIN", "colorStyle": {"rgbColor": {"red": 1}}},
        "midpoint": {"type": "PERCENTILE", "value": "50", "color": {"green": 1}},
        "maxpoint": {"type": "MAX", "colorStyle": {"rgbColor": {"blue": 1}}}}})
    return rules


def test_every_existing_rule_and_validation_is_left_as_it_was(cfg):
    fake = FakeSheets(locale="en_US")
    tab = fake.add_tab("Register", [HEADERS, complaint()], sheet_id=4)
    rules = owner_rules(4)
    assert {r["booleanRule"]["condition"]["type"] for r in rules if "booleanRule" in r} == set(CONDITION_TYPES)
    tab.conditional_formats = json.loads(json.dumps(rules))
    channel = HEADERS.index("Kanaal")
    status = HEADERS.index("Status")
    own = {channel: {"condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": "=LEN(C2)<20"}]},
                     "inputMessage": "Kort houden", "strict": True},
           status: {"condition": {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": "=Lijsten!$A$1:$A$5"}]},
                    "strict": True, "showCustomUi": True}}
    tab.validations = copy.deepcopy(own)
    report = setup_register(cfg, PEIL, session=fake.session())
    assert tab.conditional_formats[2:] == rules  # ours at the top, the owner's untouched below
    assert len(tab.conditional_formats) == len(rules) + 2
    assert tab.validations[channel] == own[channel] and tab.validations[status] == own[status]
    assert "Kanaal heeft al een eigen gegevensvalidatie; die blijft staan" in report.notes
    assert "keuzelijst voor Kanaal" not in report.changes and "keuzelijst voor Standpunt" in report.changes
    fake.requests.clear()
    assert setup_register(cfg, PEIL, session=fake.session()).changes == []
    assert not [r for r in fake.requests if r["method"] == "POST"]


# -- writes under retries ---------------------------------------------------------------------
@pytest.mark.parametrize("lost", [requests.exceptions.ReadTimeout("slow"), 503,
                                  requests.exceptions.ConnectionError("reset")])
def test_setup_applied_then_answer_lost_adds_nothing_twice(cfg, lost):
    fake = FakeSheets()
    fake.add_tab("Blad1", [], sheet_id=0)
    calls = {"n": 0}
    sleeps = []
    source = gsheet.GoogleSource(cfg, session=fake.session(), sleep=sleeps.append)
    original = fake.send

    def send(request, **kwargs):
        if request.url.endswith(":batchUpdate") and calls["n"] == 0:
            calls["n"] += 1
            fake.failures.insert(0, AppliedThen(lost))
        return original(request, **kwargs)

    fake.send = send
    report = source.setup(PEIL)
    assert len(fake.batch_updates) == 1  # applied once; the re-read found nothing missing
    assert apis(fake) == ["spreadsheets.get", "spreadsheets.get", "spreadsheets.batchUpdate",
                          "spreadsheets.get", "spreadsheets.get"]
    assert len(sleeps) == 1
    tab = fake.tabs["Register"]
    assert len(tab.conditional_formats) == 2 and len(tab.protected_ranges) == 1
    assert list(fake.tabs) == ["Register", HOLIDAY_TAB]
    assert "kleurregel 'standpunt te laat'" in report.changes


def test_values_write_applied_then_timeout_is_not_sent_again(cfg, monkeypatch):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS + ["Bevestigen vóór", "Standpunt vóór", "Signaal"],
                              complaint(complaint_no="K1", received=to_serial(dt.date(2026, 11, 2)))])
    result = check_register(cfg, PEIL, session=fake.session())
    original = fake.send
    lost = {"done": False}

    def send(request, **kwargs):
        if "values:batchUpdate" in request.url and not lost["done"]:
            lost["done"] = True
            fake.failures.insert(0, AppliedThen(requests.exceptions.ReadTimeout("slow")))
        return original(request, **kwargs)

    fake.send = send
    fake.requests.clear()
    monkeypatch.setattr(gsheet, "backoff_wait", lambda attempt, retry_after, rng: 0.0)
    report = write_deadlines(cfg, result, session=fake.session())
    posts = [r for r in fake.requests if r["method"] == "POST"]
    assert len(posts) == 1 and report.updated == ["K1"]
    # three adjacent cells of one row go as one range, right after the schema's columns
    from register.schema import column_letter

    tool = f"{column_letter(len(HEADERS))}2:{column_letter(len(HEADERS) + 2)}2"
    assert [d["range"] for d in posts[0]["body"]["data"]] == [f"'Register'!{tool}"] and report.cells == 3
    row = fake.tabs["Register"].values[1]
    assert row[len(HEADERS)] == to_serial(dt.date(2026, 11, 11))
    again = write_deadlines(cfg, check_register(cfg, PEIL, session=fake.session()), session=fake.session())
    assert again.cells == 0


def test_partly_missing_after_a_lost_answer_sends_only_the_rest(cfg):
    """The first write never arrived (a broken connection before Google saw it): the re-read
    finds it missing and sends it then."""
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    original = fake.send
    state = {"n": 0}

    def send(request, **kwargs):
        if request.url.endswith(":batchUpdate") and state["n"] == 0:
            state["n"] += 1
            raise requests.exceptions.ConnectionError("reset before sending")
        return original(request, **kwargs)

    fake.send = send
    source = gsheet.GoogleSource(cfg, session=fake.session(), sleep=lambda s: None)
    source.setup(PEIL)
    assert len(fake.batch_updates) == 1 and len(fake.tabs["Register"].conditional_formats) == 2


def test_backoff_outlasts_a_per_minute_quota_and_honours_retry_after(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    clock = {"t": 0.0}
    fake.reject = lambda record: 429 if clock["t"] < 60 else None
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        clock["t"] += seconds

    conn = gsheet.SheetsConnection(cfg, session=fake.session(), sleep=sleep)
    grid = conn.read_grid()
    assert grid.values == [HEADERS]
    assert all(b > a for a, b in zip(sleeps, sleeps[1:], strict=False))  # exponential
    assert 60 <= sum(sleeps) <= 130
    assert len({s - int(s) for s in sleeps}) > 1  # jitter
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    fake.failures = [(429, {"Retry-After": "37"})]
    sleeps.clear()
    gsheet.SheetsConnection(cfg, session=fake.session(), sleep=sleeps.append).read_grid()
    assert sleeps == [37.0]


def test_persistent_quota_ends_in_one_dutch_line(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    fake.reject = lambda record: 429
    sleeps = []
    with pytest.raises(SourceError) as err:
        gsheet.SheetsConnection(cfg, session=fake.session(), sleep=sleeps.append).read_grid()
    assert str(err.value) == ("Google Sheets: sheetgegevens ophalen mislukt na 7 pogingen: HTTP 429 "
                              "(te veel verzoeken); probeer het later opnieuw")
    assert len(sleeps) == 6 and max(sleeps) <= gsheet.MAX_WAIT and sum(sleeps) >= 63


def test_lost_answers_every_time_end_in_one_dutch_line(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    fake.reject = lambda record: 503 if record["method"] == "POST" else None
    with pytest.raises(SourceError) as err:
        gsheet.GoogleSource(cfg, session=fake.session(), sleep=lambda s: None).setup(PEIL)
    assert str(err.value) == ("Google Sheets: sheet inrichten niet bevestigd na 7 pogingen: HTTP 503 (storing bij "
                              "Google); controleer de sheet en probeer het later opnieuw")


# -- locale ------------------------------------------------------------------------------------
def test_formula_separator_follows_the_decimal_symbol():
    assert formula_separator("nl_NL") == ";" and formula_separator("de_DE") == ";"
    assert formula_separator("en_US") == "," and formula_separator("en_GB") == ","
    assert formula_separator("xx_YY") == "," and formula_separator(None) == ","
    f = '=AND($B2<>"",LOWER(TRIM($C2))<>"a,b",WORKDAY($B2,7,INDIRECT("X!$A$2:$A$9")))'
    nl = localise_formula(f, ";")
    assert nl == '=AND($B2<>"";LOWER(TRIM($C2))<>"a,b";WORKDAY($B2;7;INDIRECT("X!$A$2:$A$9")))'
    assert canonical_formula(nl) == f


@pytest.mark.parametrize("locale,sep", [("en_US", ","), ("nl_NL", ";")])
def test_rules_use_the_spreadsheet_locale(cfg, locale, sep):
    fake = FakeSheets(locale=locale)
    fake.add_tab("Register", [HEADERS])
    setup_register(cfg, PEIL, session=fake.session())
    formulas = [r["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
                for r in fake.tabs["Register"].conditional_formats]
    assert len(formulas) == 2
    assert all(re.search(r"WORKDAY\(\$B2(\+13)?" + re.escape(sep), f) for f in formulas)
    other = "," if sep == ";" else ";"
    assert all(other not in re.sub(r'"[^"]*"', "", f) for f in formulas)
    fmt = fake.tabs["Register"].conditional_formats[0]["booleanRule"]["format"]
    assert set(fmt) == {"backgroundColorStyle"}


# -- the colour rules agree with the tool's own flags -----------------------------------------
class Formula:
    """A tiny evaluator for the colour-rule formulas: AND, IF, MAX, LOWER, TRIM, TODAY, WORKDAY,
    INDIRECT (of the Feestdagen tab), comparisons, + and -; cells of one row."""

    TOKEN = re.compile(r'\s*(?:(?P<str>"[^"]*")|(?P<num>\d+(?:\.\d+)?)|(?P<ref>\$?[A-Z]+\$?\d+)|'
                       r'(?P<name>[A-Z]+)(?=\()|(?P<op><>|<=|>=|[=<>+\-()])|(?P<sep>[;,]))')

    def __init__(self, text: str, separator: str):
        self.tokens = []
        pos = 1  # skip '='
        while pos < len(text):
            m = self.TOKEN.match(text, pos)
            assert m, text[pos:]
            kind = m.lastgroup
            value = m.group(kind)
            if kind == "sep":
                assert value == separator, f"unexpected separator {value!r} in {text}"
            self.tokens.append((kind, value))
            pos = m.end()

    def evaluate(self, cells: dict, today: dt.date, holidays: list[dt.date]):
        self.cells, self.today, self.holidays, self.i = cells, today, set(holidays), 0
        value = self.comparison()
        assert self.i == len(self.tokens)
        return value

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, expected=None):
        token = self.tokens[self.i]
        assert expected is None or token[1] == expected, (token, expected)
        self.i += 1
        return token

    def comparison(self):
        left = self.additive()
        if self.peek()[1] in ("=", "<>", "<", ">", "<=", ">="):
            op = self.take()[1]
            right = self.additive()
            if op in ("=", "<>") and (isinstance(left, str) or isinstance(right, str)):
                return (left == right) == (op == "=")
            # Sheets compares dates as serial numbers and an empty cell as 0.
            left, right = (to_serial(v) if isinstance(v, dt.date) else 0 if v == "" else v for v in (left, right))
            return {"=": left == right, "<>": left != right, "<": left < right, ">": left > right,
                    "<=": left <= right, ">=": left >= right}[op]
        return left

    def additive(self):
        value = self.primary()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            amount = self.primary()
            value = value + dt.timedelta(days=amount if op == "+" else -amount)
        return value

    def primary(self):
        kind, value = self.take()
        if kind == "str":
            return value[1:-1]
        if kind == "num":
            return int(value)
        if kind == "ref":
            return self.cells.get(re.sub(r"[$\d]", "", value), "")
        if kind == "op" and value == "(":
            inner = self.comparison()
            self.take(")")
            return inner
        assert kind == "name", (kind, value)
        self.take("(")
        args = []
        while self.peek()[1] != ")":
            args.append(self.comparison())
            if self.peek()[0] == "sep":
                self.take()
        self.take(")")
        return self.call(value, args)

    def call(self, name, args):
        if name == "AND":
            return all(args)
        if name == "IF":
            return args[1] if args[0] else args[2]
        if name == "MAX":  # an empty cell does not count
            return max(a for a in args if a != "")
        if name == "LOWER":
            return str(args[0]).lower()
        if name == "TRIM":
            return " ".join(str(args[0]).split())
        if name == "TODAY":
            return self.today
        if name == "INDIRECT":
            assert args[0] == f"{HOLIDAY_TAB}!$A$2:$A$400"
            return "holidays"
        if name == "WORKDAY":
            start, days, holidays = args
            assert holidays == "holidays" and days >= 1
            day = start
            while days:
                day += dt.timedelta(days=1)
                if day.weekday() < 5 and day not in self.holidays:
                    days -= 1
            return day
        raise AssertionError(f"unknown function {name}")


def random_register(rng: random.Random, n: int) -> list[list]:
    rows = [HEADERS]
    start = dt.date(2025, 11, 1)
    for i in range(n):
        received = start + dt.timedelta(days=rng.randrange(0, 500))
        values = {"complaint_no": f"K{i:05d}", "received": received}
        if rng.random() < 0.4:
            values["acknowledged"] = received + dt.timedelta(days=rng.randrange(0, 15))
        if rng.random() < 0.2:
            values["decided"] = received + dt.timedelta(days=rng.randrange(0, 40))
        if rng.random() < 0.1:
            values["status"] = rng.choice(["afgehandeld", " Afgehandeld ", "in behandeling"])
        if rng.random() < 0.3:
            values["extension_sent"] = received + dt.timedelta(days=rng.randrange(5, 20))
            values["extended_until"] = received + dt.timedelta(days=rng.randrange(14, 60))
        rows.append(complaint(**{k: to_serial(v) if isinstance(v, dt.date) else v for k, v in values.items()}))
    return rows


@pytest.mark.parametrize("locale", ["nl_NL", "en_US"])
def test_colour_rules_agree_with_the_flags_on_random_dates(cfg, locale):
    rng = random.Random(11)
    fake = FakeSheets(locale=locale)
    fake.add_tab("Register", random_register(rng, 1200), sheet_id=2)
    setup_register(cfg, PEIL, session=fake.session())
    tab = fake.tabs["Register"]
    header = tab.values[0]
    rules = {r["booleanRule"]["format"]["backgroundColorStyle"]["rgbColor"]["green"]:
             Formula(r["booleanRule"]["condition"]["values"][0]["userEnteredValue"], formula_separator(locale))
             for r in tab.conditional_formats}
    ack_rule, decision_rule = rules[0.87], rules[0.72]
    from register.parse import _serial

    holidays = [_serial(r[0]) for r in fake.tabs[HOLIDAY_TAB].values[1:] if r and r[0]]
    closed = {d for d, _ in closed_days(cfg, PEIL)}
    assert dt.date(2025, 12, 25) in holidays and set(holidays) == closed
    grid = open_source(cfg, fake.session()).read()
    compared = 0
    for today in (PEIL, dt.date(2026, 1, 2), dt.date(2026, 4, 28), dt.date(2026, 12, 29)):
        result = check_grid(grid, cfg, today)
        flags = set(zip(result.flags["klachtnummer"], result.flags["signaal"], strict=True))
        for row in tab.values[1:]:
            cells = {}
            for i, value in enumerate(row):
                letter = gsheet.column_letter(i)
                if header[i] in ("Datum ontvangst", "Datum bevestiging", "Datum standpunt", "Uitstelbericht verstuurd",
                                 "Verlengd tot") and value not in (None, ""):
                    value = _serial(value)
                cells[letter] = "" if value is None else value
            number = row[0]
            assert ack_rule.evaluate(cells, today, holidays) == ((number, "bevestiging_te_laat") in flags), number
            assert decision_rule.evaluate(cells, today, holidays) == ((number, "standpunt_te_laat") in flags), number
            compared += 1
    assert compared >= 4000


# -- the Feestdagen tab kept current ----------------------------------------------------------
def test_nightly_extends_a_short_feestdagen_tab_then_writes_nothing(cfg):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS])
    setup_register(cfg, dt.date(2024, 6, 1), session=fake.session())  # covers 2023 to 2027
    source = open_source(cfg, fake.session())
    fake.batch_updates.clear()
    assert source.keep_holidays_current(dt.date(2025, 6, 1)) is None
    assert not fake.batch_updates
    written = source.keep_holidays_current(PEIL)  # needs up to November 2028
    assert written.endswith("sluitingsdagen in Feestdagen gezet (tot en met 2029)")
    dates = [r[0] for r in fake.tabs[HOLIDAY_TAB].values[1:] if r and r[0] not in (None, "")]
    assert to_serial(dt.date(2028, 12, 25)) in dates and to_serial(dt.date(2024, 12, 25)) not in dates
    assert len(dates) == len(closed_days(cfg, PEIL))
    fake.batch_updates.clear()
    assert source.keep_holidays_current(PEIL) is None and not fake.batch_updates
    assert setup_register(cfg, PEIL, session=fake.session()).changes == []


def test_nightly_feestdagen_xlsx(make_config, tmp_path):
    import openpyxl

    from register.sources.xlsx import setup_xlsx

    cfg = make_config(rows=[complaint()])
    setup_xlsx(cfg, dt.date(2024, 6, 1))
    source = open_source(cfg)
    content = (tmp_path / "register.xlsx").read_bytes()
    assert source.keep_holidays_current(dt.date(2025, 6, 1)) is None
    assert (tmp_path / "register.xlsx").read_bytes() == content
    assert source.keep_holidays_current(PEIL).endswith("(tot en met 2029)")
    ws = openpyxl.load_workbook(tmp_path / "register.xlsx")[HOLIDAY_TAB]
    assert dt.date(2028, 12, 25) in [c.value.date() for c in ws["A"][1:] if c.value]
    assert source.keep_holidays_current(PEIL) is None


def test_nachtrun_step_reports_the_feestdagen(make_config, tmp_path):
    from generator.app.nightly import run_nightly

    cfg = make_config(rows=[complaint()])
    steps = run_nightly(cfg, PEIL, dt.datetime(2026, 11, 21, 6, tzinfo=dt.UTC), dry=False, echo=lambda s: None)
    step = next(s for s in steps if s.name == "feestdagen")
    assert step.ok and step.message == ("geen tabblad Feestdagen in register.xlsx (niets gewijzigd; "
                                        "'klachten inrichten' maakt het aan)")


# -- klachten verbinding -------------------------------------------------------------------------
@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "sa.json"
    from tests.sheets_fake import write_service_account_key

    write_service_account_key(path)  # a real key: a broken one is now refused before any request
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    return path


CHECK_CONNECTION = gsheet.check_connection


def run_verbinding(cfg, fake, monkeypatch):
    monkeypatch.setattr(gsheet, "check_connection", functools.partial(CHECK_CONNECTION, session=fake.session()))
    return runner.invoke(app, ["verbinding", "--config", str(cfg.path)])


def test_verbinding_all_good(cfg, key_file, monkeypatch):
    fake = FakeSheets()
    fake.add_tab("Register", [HEADERS], sheet_id=0)
    before = json.dumps({t: v.values for t, v in fake.tabs.items()})
    result = run_verbinding(cfg, fake, monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"ok   sleutel gevonden: {key_file} (service-account klachten@proj.iam.gserviceaccount.com)",
        "ok   Google Sheet 'Klachtenregister' is gedeeld met klachten@proj.iam.gserviceaccount.com",
        "ok   tabblad 'Register' gevonden",
        f"ok   kopregel compleet ({len(HEADERS)} kolommen herkend)",
        "ok   landinstelling nl_NL: formules met ';' tussen de argumenten",
        "ok   klachten@proj.iam.gserviceaccount.com mag in de sheet schrijven (bewerker)",
    ]
    assert json.dumps({t: v.values for t, v in fake.tabs.items()}) == before and fake.title == "Klachtenregister"
    write = fake.batch_updates[0]["requests"]
    assert write == [{"updateSpreadsheetProperties": {"properties": {"title": "Klachtenregister"}, "fields": "title"}}]


def test_verbinding_fresh_sheet_read_only_account(cfg, key_file, monkeypatch):
    fake = FakeSheets(locale="en_US")
    fake.add_tab("Blad1", [], sheet_id=0)
    fake.writable = False
    result = run_verbinding(cfg, fake, monkeypatch)
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert lines[2] == ("ok   tabblad 'Register' ontbreekt nog; 'klachten inrichten' maakt van 'Blad1' "
                        "(het enige tabblad) het register")
    assert lines[3] == "ok   kopregel nog leeg; 'klachten inrichten' vult hem"
    assert lines[4] == "ok   landinstelling en_US: formules met ',' tussen de argumenten"
    assert lines[5] == ("FOUT klachten@proj.iam.gserviceaccount.com mag de sheet alleen lezen: "
                        "deel hem als bewerker")


def test_verbinding_not_shared_and_no_key(cfg, key_file, monkeypatch, tmp_path):
    fake = FakeSheets(key="another-sheet")
    result = run_verbinding(cfg, fake, monkeypatch)
    assert result.exit_code == 2
    assert result.stdout.splitlines()[1] == (
        "FOUT Google Sheet 'sheet-key-123' niet gevonden; controleer [register] spreadsheet en deel de sheet met "
        "klachten@proj.iam.gserviceaccount.com")
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "weg.json"))
    result = run_verbinding(cfg, FakeSheets(), monkeypatch)
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [f"FOUT het service-account-bestand '{tmp_path / 'weg.json'}' uit "
                                          "GOOGLE_APPLICATION_CREDENTIALS bestaat niet"]


def test_verbinding_is_for_google_only(make_config):
    cfg = make_config(rows=[complaint()])
    result = runner.invoke(app, ["verbinding", "--config", str(cfg.path)])
    assert result.exit_code == 2
    assert result.stderr.strip() == "Fout: 'klachten verbinding' controleert een Google Sheet; [register] bron is 'xlsx'"


def test_discovery_document_is_the_packaged_one():
    assert DISCOVERY["id"] == "sheets:v4" and "BooleanCondition" in SCHEMAS
