"""`klachten inrichten` on an existing .xlsx, as edits of its XML parts (no full rewrite).

openpyxl would load and save every cell (150 s at 200,000 rows, and it drops the cached values
of formulas). Here only what setup adds is written: header cells (through splice_sheet), a frozen
pane, <dataValidation> and <conditionalFormatting> elements, number formats as column styles
(``<col style=…>``, so new entries in those columns take the format; existing cells keep their
own), a Feestdagen tab, and the styles they need. Every other part stays byte-identical.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from register.errors import SourceError
from register.sources.xlsxpackage import (
    _NS_MAIN,
    _NS_REL,
    _ROW_NUMBER,
    Styles,
    replace_members,
    sheet_part,
    splice_sheet,
    styles_part,
    workbook_part,
)

if TYPE_CHECKING:
    from register.config import Config
    from register.sheetsetup import SetupReport

_AFTER_SHEETDATA = ("sheetCalcPr", "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
                    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
                    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
                    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
                    "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                    "webPublishItems", "tableParts", "extLst")
_TEXT_FORMAT = 49  # built-in '@'


def _insert_before_following(tail: bytes, element: str, xml: bytes) -> bytes:
    """Insert ``xml`` into the part after </sheetData> where ``element`` belongs in CT_Worksheet's order."""
    later = _AFTER_SHEETDATA[_AFTER_SHEETDATA.index(element) + 1:]
    best = None
    for name in later:
        m = re.compile(rb"<" + name.encode() + rb"\b").search(tail)
        if m and (best is None or m.start() < best):
            best = m.start()
    if best is None:
        best = tail.rindex(b"</")
    return tail[:best] + xml + tail[best:]


def _headers(zf: zipfile.ZipFile, sheet: bytes) -> list[object] | None:
    """The values of row 1, read from the sheet XML (and the first shared strings); None when
    the row is written in a way this short reader does not follow (then calamine reads it)."""
    m = re.search(rb'<row r="1"[^>]*?(/?)>', sheet)
    first = re.search(rb"<row\b", sheet)
    if m is None or first is None or first.start() != m.start():
        return [] if first is None or m is None else None
    if m.group(1):
        return []
    body = sheet[m.end():sheet.index(b"</row>", m.end())]
    cells: dict[int, object] = {}
    wanted_strings: dict[int, int] = {}
    for c in re.finditer(rb'<c r="([A-Z]+)1"([^>]*?)(?:/>|>(.*?)</c>)', body, re.S):
        from register.sources.xlsxpackage import column_number

        col = column_number(c.group(1).decode())
        typed = re.search(rb't="(\w+)"', c.group(2))
        kind = typed.group(1) if typed else b"n"
        content = c.group(3) or b""
        value = re.search(rb"<v>(.*?)</v>", content, re.S)
        if kind == b"s" and value:
            wanted_strings[col] = int(value.group(1))
        elif kind == b"inlineStr":
            cells[col] = html.unescape("".join(t.decode() for t in re.findall(rb"<t[^>]*>(.*?)</t>", content, re.S)))
        elif value:
            cells[col] = html.unescape(value.group(1).decode())
    if wanted_strings:
        limit = max(wanted_strings.values())
        strings: list[str] = []
        try:
            with zf.open("xl/sharedStrings.xml") as fh:
                buffer = b""
                while len(strings) <= limit:
                    chunk = fh.read(1 << 16)
                    if not chunk:
                        break
                    buffer += chunk
                    parts = buffer.split(b"</si>")
                    buffer = parts.pop()
                    for si in parts:
                        strings.append(html.unescape("".join(
                            t.decode() for t in re.findall(rb"<t(?:\s[^>]*)?>(.*?)</t>", si, re.S))))
        except KeyError:
            return None
        if len(strings) <= limit:
            return None
        for col, index in wanted_strings.items():
            cells[col] = strings[index]
    width = max(cells, default=0)
    return [cells.get(c) for c in range(1, width + 1)]


def _freeze(sheet: bytes) -> bytes | None:
    pane = b'<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    view = re.search(rb"<sheetView\b[^>]*?(/?)>", sheet)
    if view is None:
        views = b'<sheetViews><sheetView workbookViewId="0">' + pane + b"</sheetView></sheetViews>"
        anchor = re.search(rb"<(?:sheetFormatPr|cols)\b", sheet)
        at = anchor.start() if anchor else len(sheet)
        return sheet[:at] + views + sheet[at:]
    if view.group(1):
        return sheet[:view.start()] + view.group(0)[:-2].rstrip() + b">" + pane + b"</sheetView>" + sheet[view.end():]
    close = sheet.index(b"</sheetView>", view.end())
    inner = sheet[view.end():close]
    old = re.search(rb"<pane\b[^>]*/>", inner)
    if old and b'state="frozen"' in old.group(0) and b'ySplit="1"' in old.group(0) and b"xSplit" not in old.group(0):
        return None
    inner = re.sub(rb"<pane\b[^>]*/>", b"", inner)
    return sheet[:view.end()] + pane + inner + sheet[close:]


def _column_styles(sheet: bytes, wanted: dict[int, int], default_width: bytes) -> bytes:
    """Give columns ``{column: style}`` their style in <cols>, splitting ranges as needed."""
    cols = re.search(rb"<cols>(.*?)</cols>", sheet, re.S)
    entries: list[tuple[int, int, dict[bytes, bytes]]] = []
    if cols:
        for m in re.finditer(rb"<col\b([^>]*?)/?>", cols.group(1)):
            attrs = dict(re.findall(rb"""(\w+)=["']([^"']*)["']""", m.group(1)))
            entries.append((int(attrs.pop(b"min")), int(attrs.pop(b"max")), attrs))
    for column, style in wanted.items():
        out = []
        covered = False
        for lo, hi, attrs in entries:
            if lo <= column <= hi:
                covered = True
                if lo < column:
                    out.append((lo, column - 1, dict(attrs)))
                out.append((column, column, {**attrs, b"style": str(style).encode()}))
                if column < hi:
                    out.append((column + 1, hi, dict(attrs)))
            else:
                out.append((lo, hi, attrs))
        if not covered:
            out.append((column, column, {b"width": default_width, b"style": str(style).encode()}))
        entries = sorted(out)
    xml = b"<cols>" + b"".join(b'<col min="%d" max="%d"' % (lo, hi)
                               + b"".join(b" " + k + b'="' + v + b'"' for k, v in attrs.items()) + b"/>"
                               for lo, hi, attrs in entries) + b"</cols>"
    if cols:
        return sheet[:cols.start()] + xml + sheet[cols.end():]
    return sheet + xml  # ``sheet`` is the part before <sheetData>


def _style_with_format(styles: Styles, base: int, fmt_id: int) -> int:
    """A cellXfs index like ``base`` but with number format ``fmt_id`` (added if missing)."""
    source = styles.xfs[base] if 0 <= base < len(styles.xfs) else styles.xfs[0]
    closing = source.endswith(b"/>")
    head, sep, rest = (source[:-2], b"/>", b"") if closing else source.partition(b">")
    head = re.sub(rb"""\s*(numFmtId|applyNumberFormat)=["'][^"']*["']""", b"", head).rstrip()
    wanted = head + f' numFmtId="{fmt_id}" applyNumberFormat="1"'.encode() + sep + rest
    if wanted in styles.xfs:
        return styles.xfs.index(wanted)
    styles._append_xf(wanted)
    return len(styles.xfs) - 1


def _format_of(styles: Styles, index: int) -> int:
    if not 0 <= index < len(styles.xfs):
        return 0
    m = re.search(rb"""numFmtId=["'](\d+)["']""", styles.xfs[index].split(b">", 1)[0])
    return int(m.group(1)) if m else 0


def _add_dxf(styles: Styles, colour: str) -> int:
    assert styles.data is not None
    dxf = (f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="FF{colour}"/><bgColor rgb="FF{colour}"/>'
           f"</patternFill></fill></dxf>").encode()
    m = re.search(rb"<dxfs\b([^>]*?)(/?)>", styles.data)
    if m and not m.group(2):
        close = styles.data.index(b"</dxfs>", m.end())
        count = len(re.findall(rb"<dxf\b", styles.data[m.end():close]))
        attrs = re.sub(rb"""count=["']\d+["']""", f'count="{count + 1}"'.encode(), m.group(1))
        styles.data = styles.data[:m.start()] + b"<dxfs" + attrs + b">" + styles.data[m.end():close] + dxf \
            + styles.data[close:]
        styles.changed = True
        return count
    new = b'<dxfs count="1">' + dxf + b"</dxfs>"
    if m:  # <dxfs count="0"/>
        styles.data = styles.data[:m.start()] + new + styles.data[m.end():]
    else:
        after = re.search(rb"<(?:tableStyles|colors|extLst)\b|</styleSheet>", styles.data)
        assert after is not None
        styles.data = styles.data[:after.start()] + new + styles.data[after.start():]
    styles.changed = True
    return 0


def _holiday_sheet(days: list[tuple[dt.date, str]], date_style: int | None) -> bytes:
    from register.parse import to_serial

    s = f' s="{date_style}"' if date_style is not None else ""
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>Datum</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>Omschrijving</t></is></c></row>']
    for r, (day, name) in enumerate(days, start=2):
        rows.append(f'<row r="{r}"><c r="A{r}"{s}><v>{to_serial(day)}</v></c><c r="B{r}" t="inlineStr"><is>'
                    f'<t xml:space="preserve">{escape(name)}</t></is></c></row>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS_MAIN}" '
            f'xmlns:r="{_NS_REL}"><dimension ref="A1:B{len(days) + 1}"/><sheetViews><sheetView '
            f'workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols><col min="1" max="1" '
            f'width="12" customWidth="1"/><col min="2" max="2" width="40" customWidth="1"/></cols><sheetData>'
            + "".join(rows) + "</sheetData></worksheet>").encode()


def _add_sheet(zf: zipfile.ZipFile, members: dict[str, bytes], name: str, xml: bytes) -> None:
    wb = workbook_part(zf)
    folder = wb.rsplit("/", 1)[0]
    existing = set(zf.namelist())
    n = 1
    while f"{folder}/worksheets/sheet{n}.xml" in existing:
        n += 1
    part = f"{folder}/worksheets/sheet{n}.xml"
    members[part] = xml
    rels_name = f"{folder}/_rels/{wb.rsplit('/', 1)[1]}.rels"
    rels = members.get(rels_name) or zf.read(rels_name)
    ids = {int(i) for i in re.findall(rb'Id="rId(\d+)"', rels)}
    rid = f"rId{max(ids | {0}) + 1}"
    rel = (f'<Relationship Id="{rid}" Type="{_NS_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>').encode()
    members[rels_name] = rels.replace(b"</Relationships>", rel + b"</Relationships>")
    workbook = members.get(wb) or zf.read(wb)
    sheet_ids = [int(i) for i in re.findall(rb"<sheet\b[^>]*?\bsheetId=\"(\d+)\"", workbook)]
    prefix = re.search(rb"xmlns:(\w+)=\"" + _NS_REL.encode() + b'"', workbook)
    rprefix = prefix.group(1).decode() if prefix else "r"
    extra_ns = "" if prefix else f' xmlns:r="{_NS_REL}"'
    entry = f'<sheet name={quoteattr(name)} sheetId="{max(sheet_ids, default=0) + 1}"{extra_ns} {rprefix}:id="{rid}"/>'
    members[wb] = workbook.replace(b"</sheets>", entry.encode() + b"</sheets>")
    types = members.get("[Content_Types].xml") or zf.read("[Content_Types].xml")
    override = (f'<Override PartName="/{part}" ContentType="application/vnd.openxmlformats-officedocument.'
                f'spreadsheetml.worksheet+xml"/>').encode()
    members["[Content_Types].xml"] = types.replace(b"</Types>", override + b"</Types>")


def setup_xlsx_parts(config: Config, path: Path, today: dt.date) -> SetupReport:
    """The setup plan carried out on an existing .xlsx by editing its XML (see module docstring)."""
    from register.model import allowed_values
    from register.schema import BY_KEY, column_letter
    from register.sheetsetup import (
        DATE_KEYS,
        DATE_PATTERN,
        ENUM_KEYS,
        HOLIDAY_TAB,
        HOLIDAYS_REF,
        TEXT_KEYS,
        SetupReport,
        closed_days,
        overdue_formulas,
        plan_layout,
    )
    from register.sources.xlsx import copy_before_change, read_xlsx

    tab = config.register.tabblad
    with zipfile.ZipFile(path) as zf:
        part = sheet_part(zf, tab)
        if part is None:
            from register.sources.base import missing_tab_message

            names = re.findall(r'<sheet\b[^>]*?name="([^"]*)"', zf.read(workbook_part(zf)).decode("utf-8"))
            raise SourceError(missing_tab_message(tab, [html.unescape(n) for n in names], path.name))
        sheet = zf.read(part)
        spart = styles_part(zf)
        if spart is None:
            raise SourceError(f"'{path.name}' heeft geen opmaakgegevens (styles.xml); sla het opnieuw op als .xlsx")
        styles = Styles(zf.read(spart), DATE_PATTERN)
        holiday = sheet_part(zf, HOLIDAY_TAB)
    with zipfile.ZipFile(path) as zf:
        headers = _headers(zf, sheet)
    if headers is None:
        grid = read_xlsx(path, tab)
        headers = list(grid.values[0]) if grid.values else []
    layout = plan_layout(headers)
    changes: list[str] = []
    new_sheet = sheet
    if layout.added:
        new_sheet = splice_sheet(new_sheet, {(1, col + 1): BY_KEY[key].header for key, col in layout.added}, styles)
        changes.append("kolommen toegevoegd: " + ", ".join(f"{BY_KEY[k].header} ({column_letter(c)})"
                                                           for k, c in layout.added))
    # Everything below edits the part before <sheetData> (head) or after it (tail): never the rows.
    i = new_sheet.index(b"<sheetData")
    closed = re.compile(rb"<sheetData\b[^>]*?/>").match(new_sheet, i)
    j = closed.end() if closed else new_sheet.rindex(b"</sheetData>") + len(b"</sheetData>")
    head, data, tail = new_sheet[:i], new_sheet[i:j], new_sheet[j:]
    frozen = _freeze(head)
    if frozen is not None:
        head = frozen
        changes.append("kopregel vastgezet")
    last = _ROW_NUMBER.findall(data[data.rfind(b"<row"):]) if b"<row" in data else []
    last_row = max(int(last[0]) if last else 1, 1000)

    existing_dv = {(m.group(1).decode(), html.unescape(m.group(2).decode()))
                   for m in re.finditer(rb'<dataValidation\b[^>]*?sqref="([^"]*)"[^>]*>\s*<formula1>(.*?)</formula1>',
                                        tail, re.S)}
    new_dv = []
    for key in ENUM_KEYS:
        letter = layout.letter(key)
        formula = '"' + ",".join(allowed_values(key, config)) + '"'
        sqref = f"{letter}2:{letter}{last_row}"
        if (sqref, formula) not in existing_dv:
            new_dv.append(f'<dataValidation type="list" allowBlank="1" showErrorMessage="0" sqref="{sqref}">'
                          f"<formula1>{escape(formula)}</formula1></dataValidation>")
            changes.append(f"keuzelijst voor {BY_KEY[key].header}")
    if new_dv:
        block = re.search(rb"<dataValidations\b([^>]*)>(.*?)</dataValidations>", tail, re.S)
        if block:
            count = len(re.findall(rb"<dataValidation\b", block.group(2))) + len(new_dv)
            attrs = re.sub(rb'count="\d+"', f'count="{count}"'.encode(), block.group(1))
            tail = (tail[:block.start()] + b"<dataValidations" + attrs + b">" + block.group(2)
                    + "".join(new_dv).encode() + b"</dataValidations>" + tail[block.end():])
        else:
            xml = f'<dataValidations count="{len(new_dv)}">{"".join(new_dv)}</dataValidations>'.encode()
            tail = _insert_before_following(tail, "dataValidations", xml)

    default_width = re.search(rb'defaultColWidth="([\d.]+)"', head)
    width = default_width.group(1) if default_width else b"9.140625"
    current: dict[int, int] = {}
    for m in re.finditer(rb"<col\b([^>]*?)/?>", head):
        col_attrs: dict[bytes, bytes] = dict(re.findall(rb"""(\w+)=["']([^"']*)["']""", m.group(1)))
        for c in range(int(col_attrs[b"min"]), min(int(col_attrs[b"max"]), 16384) + 1):
            current[c] = int(col_attrs.get(b"style", b"0"))
    wanted_styles: dict[int, int] = {}
    for keys, label in ((DATE_KEYS, "datumopmaak"), (TEXT_KEYS, "tekstopmaak")):
        for key in keys:
            col = layout.positions[key] + 1
            base = current.get(col, 0)
            fmt = styles._date_format_id() if keys is DATE_KEYS else _TEXT_FORMAT
            if _format_of(styles, base) != fmt:
                wanted_styles[col] = _style_with_format(styles, base, fmt)
                changes.append(f"{label} voor {BY_KEY[key].header}")
    if wanted_styles:
        head = _column_styles(head, wanted_styles, width)

    existing_cf = {html.unescape(f.decode()) for f in re.findall(rb"<cfRule\b[^>]*>\s*<formula>(.*?)</formula>",
                                                                   tail, re.S)}
    priorities = [int(p) for p in re.findall(rb'<cfRule\b[^>]*?priority="(\d+)"', tail)]
    area = f"A2:{column_letter(layout.width - 1)}{last_row}"
    new_cf = []
    for formula, colour, label in zip(overdue_formulas(layout, config, HOLIDAYS_REF), ("FFDEAD", "FAB8B8"),
                                      ("bevestiging te laat", "standpunt te laat"), strict=True):
        body = formula.lstrip("=")
        if body not in existing_cf:
            dxf = _add_dxf(styles, colour)
            priority = max([0, *priorities]) + 1
            priorities.append(priority)
            new_cf.append(f'<conditionalFormatting sqref="{area}"><cfRule type="expression" dxfId="{dxf}" '
                          f'priority="{priority}"><formula>{escape(body)}</formula></cfRule></conditionalFormatting>')
            changes.append(f"kleurregel '{label}'")
    if new_cf:
        tail = _insert_before_following(tail, "conditionalFormatting", "".join(new_cf).encode())
    new_sheet = head + data + tail

    members: dict[str, bytes] = {}
    days = closed_days(config, today)
    wanted_days = [("Datum", "Omschrijving")] + days
    if holiday is None or _holiday_rows(path) != wanted_days:
        date_style = styles.date_style(0)
        with zipfile.ZipFile(path) as zf:
            if holiday is None:
                _add_sheet(zf, members, HOLIDAY_TAB, _holiday_sheet(days, date_style))
                changes.append(f"tabblad {HOLIDAY_TAB} toegevoegd")
            else:
                members[holiday] = _holiday_sheet(days, date_style)
        changes.append(f"{len(days)} sluitingsdagen in {HOLIDAY_TAB}")
    if not changes:
        return SetupReport(changes)
    if new_sheet != sheet:
        members[part] = new_sheet
    if styles.changed:
        members[spart] = styles.data  # type: ignore[assignment]
    copy_before_change(path, config)
    replace_members(path, members)
    return SetupReport(changes)


def replace_holiday_sheet(path: Path, part: str, days: list[tuple[dt.date, str]]) -> None:
    """Rewrite the Feestdagen tab (our own tab) with ``days``; the rest of the file stays as it is."""
    from register.sheetsetup import DATE_PATTERN

    with zipfile.ZipFile(path) as zf:
        spart = styles_part(zf)
        styles = Styles(zf.read(spart) if spart else None, DATE_PATTERN)
    members = {part: _holiday_sheet(days, styles.date_style(0))}
    if styles.changed and spart:
        members[spart] = styles.data  # type: ignore[assignment]
    replace_members(path, members)


def _holiday_rows(path: Path) -> list[tuple[object, object]]:
    from register.sheetsetup import HOLIDAY_TAB
    from register.sources.xlsx import read_xlsx

    rows = []
    for row in read_xlsx(path, HOLIDAY_TAB).values:
        a = row[0] if row else None
        b = row[1] if len(row) > 1 else None
        a = a.date() if isinstance(a, dt.datetime) else a
        if a not in (None, "") or b:
            rows.append((a, b))
    return rows
