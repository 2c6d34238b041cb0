"""The one policy module: personal columns derived from the schema, kept or expired, the token
rule, neutralising, and the export writer that applies it."""

import ast
import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from register import policy
from register.export import csv_bytes, json_bytes, xlsx_bytes
from register.schema import COLUMNS, MARKER
from tests.conftest import ROOT

HOSTILE = ["=HYPERLINK(\"http://x\",\"klik\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tx", "\rx",
           "\nx", "\uff1d1+1", "\uff0bcmd", "\uff20SUM(A1)"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_would_be_formula_is_neutralised(value):
    assert policy.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["", "x=1", "Jan", "K2026-001", "'al tekst", "2026-03-02"])
def test_ordinary_text_is_left_alone(value):
    assert policy.neutralise(value) == value


def test_numbers_and_none_are_not_touched():
    assert policy.neutralise(-5) == -5 and policy.neutralise(None) is None


def test_the_export_writer_neutralises_csv_json_and_xlsx():
    rows = [["Kop", "Getal"], *[[v, -1] for v in HOSTILE]]
    text = csv_bytes(rows).decode("utf-8")
    assert text.startswith("\ufeff")
    back = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert [r[0] for r in back[1:]] == ["'" + v for v in HOSTILE]
    assert {r[1] for r in back[1:]} == {"-1"}  # a number is a number, not a formula
    records = json.loads(json_bytes([{"Naam": v} for v in HOSTILE]))
    assert [r["Naam"] for r in records] == ["'" + v for v in HOSTILE]
    wb = load_workbook(io.BytesIO(xlsx_bytes(rows)))
    ws = wb.active
    # (XML stores a lone CR as LF)
    assert [ws.cell(row=r, column=1).value for r in range(2, len(rows) + 1)] == \
        ["'" + v.replace("\r", "\n") for v in HOSTILE]
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(2, len(rows) + 1))


def test_personal_columns_come_from_the_schema():
    assert policy.PERSONAL_KEYS == tuple(c.key for c in COLUMNS if c.personal)
    assert "compensation" in policy.PERSONAL_KEYS and "Compensatie" in policy.PERSONAL_HEADERS
    assert "measure" not in policy.PERSONAL_KEYS  # Maatregel is about the organisation


def test_expiry_day_itself_is_expired_the_day_before_is_kept():
    expires = np.array(["2026-03-03", "NaT"], dtype="datetime64[D]")
    anonymised = np.array(["NaT", "NaT"], dtype="datetime64[D]")
    assert policy.retention_expired(expires, dt.date(2026, 3, 3)).tolist() == [True, False]
    assert policy.retention_expired(expires, dt.date(2026, 3, 2)).tolist() == [False, False]
    assert policy.kept(expires, anonymised, dt.date(2026, 3, 2)).tolist() == [True, True]
    assert policy.kept(expires, anonymised, dt.date(2026, 3, 4)).tolist() == [False, True]
    done = np.array(["2026-01-01", "NaT"], dtype="datetime64[D]")
    assert policy.kept(expires, done, dt.date(2026, 1, 2)).tolist() == [False, True]


def test_anonymisable_needs_closed_expired_not_escalated_not_done():
    expires = np.array(["2026-03-03"] * 4, dtype="datetime64[D]")
    closed = np.array([True, False, True, True])
    escalated = np.array([False, False, True, False])
    anonymised = np.array([False, False, False, True])
    assert policy.anonymisable(closed, escalated, anonymised, expires, dt.date(2026, 3, 3)).tolist() == \
        [True, False, False, False]
    assert policy.not_anonymisable_reason("afgehandeld", "", "") is None
    assert policy.not_anonymisable_reason("in behandeling", "", "") == "is niet meer afgehandeld"
    assert policy.not_anonymisable_reason("afgehandeld", "rechter", "") == "is geëscaleerd"
    # the same rule as the signal: once the external procedure ended, the data may go
    assert policy.not_anonymisable_reason("afgehandeld", "rechter", "", "2026-01-05") is None


def test_one_token_rule():
    from register import personal

    assert personal.MIN_CHARS == policy.MIN_TOKEN
    assert policy.long_enough("Verbeek") and not policy.long_enough("Jan") and not policy.long_enough(MARKER)


def test_canonical_number():
    assert policy.canonical_number(" k2024/005 ") == "K2024/005" == policy.canonical_number("K2024/\u00a0005")


def test_every_enum_column_gets_a_dropdown():
    from register.sheetsetup import ENUM_KEYS

    assert set(ENUM_KEYS) == {c.key for c in COLUMNS if c.kind in ("enum", "list", "urgency")}
    assert "salutation" in ENUM_KEYS


def test_demo_anonymised_rows_hold_no_personal_value():
    from register.demo import demo_rows

    rows = demo_rows()
    header = rows[0]
    anonymised = header.index("Geanonimiseerd op")
    done = [r + [None] * (len(header) - len(r)) for r in rows[1:] if len(r) > anonymised and r[anonymised]]
    assert done
    for row in done:
        for key in policy.PERSONAL_KEYS:
            value = row[header.index(next(c.header for c in COLUMNS if c.key == key))]
            assert value in (None, "", MARKER), (key, value)


# -- no module lists personal columns by hand ------------------------------------------------------
#: Deliberate selections of a few personal columns for one purpose (not "the personal columns"):
#: path -> the exact sets allowed there. A new hand-list anywhere else fails the test below.
SELECTIONS = {
    "generator/analysis/compute.py": [{"name", "email", "phone", "postcode", "address", "solution"}],  # returning complainants
    "generator/letters/kinds.py": [{"name", "description", "motivation"}],  # what a letter needs
    "register/config.py": [{"name", "email", "phone", "address", "postcode", "city", "description"}],  # form questions
    "register/demo.py": [{"name", "address", "postcode", "city"}],  # the demo's returning complainant
}
OWNERS = {"register/schema.py", "register/policy.py"}


def _hand_lists(path: Path, personal: set[str]) -> list[tuple[int, set[str]]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        # Lists of column names (a dict literal is a row of data, keyed by column: not a list).
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            values = {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
            hits = values & personal
            if len(hits) >= 3:
                found.append((node.lineno, hits))
    return found


def test_no_module_hand_lists_personal_columns():
    personal = set(policy.PERSONAL_KEYS) | set(policy.PERSONAL_HEADERS)
    offenders = []
    for path in sorted([*(ROOT / "register").rglob("*.py"), *(ROOT / "generator").rglob("*.py")]):
        rel = path.relative_to(ROOT).as_posix()
        if rel in OWNERS:
            continue
        for line, hits in _hand_lists(path, personal):
            if hits not in SELECTIONS.get(rel, []):
                offenders.append(f"{rel}:{line} {sorted(hits)}")
    assert not offenders, "personal columns listed by hand; import register.policy.PERSONAL_KEYS: " + "; ".join(offenders)


def test_the_scan_finds_a_hand_list(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('KEYS = ("name", "address", "email", "phone")\n', encoding="utf-8")
    assert _hand_lists(bad, set(policy.PERSONAL_KEYS)) == [(1, {"name", "address", "email", "phone"})]


@pytest.mark.parametrize(("value", "code"), [
    ("jan@klant.nl", None), (" jan@klant.nl ", None), ("", None),
    ("jan@klant.nl\r\nBcc: x@y.nl", "email_regeleinde"), ("jan@klant.nl\nx", "email_regeleinde"),
    ("jan@klant.nl\x00", "email_regeleinde"),
    ("a@x.nl, b@y.nl", "email_meerdere"), ("a@x.nl;b@y.nl", "email_meerdere"), ("a@x.nl b@y.nl", "email_meerdere"),
    ("piet@@example", "email_ongeldig"), ("Jan <jan@klant.nl>", "email_ongeldig"), ("geen adres", "email_ongeldig"),
])
def test_one_address_per_cell(value, code):
    problem = policy.address_problem(value)
    assert (problem[0] if problem else None) == code


def test_a_line_break_or_a_list_in_an_email_cell_is_an_error_with_its_cell(make_config):
    from register.check import check_register
    from register.schema import BY_KEY, column_letter
    from tests.conftest import HEADERS, complaint

    rows = [complaint(complaint_no="K1", email="jan@klant.nl\r\nBcc: x@y.nl"),
            complaint(complaint_no="K2", email="a@x.nl, b@y.nl"), complaint(complaint_no="K3", email="c@z.nl")]
    cfg = make_config(rows=rows)
    result = check_register(cfg, dt.date(2026, 11, 21))
    col = column_letter(HEADERS.index(BY_KEY["email"].header))
    found = [(f.cel, f.code, f.ernst.value, f.melding) for f in result.findings if f.code.startswith("email")]
    assert found == [
        (f"{col}2", "email_regeleinde", "fout", "'jan@klant.nl Bcc: x@y.nl' bevat een regeleinde of stuurteken"),
        (f"{col}3", "email_meerdere", "fout", "'a@x.nl, b@y.nl' bevat meer dan één e-mailadres")]
    assert result.has_errors
