"""The one writer for tables that leave the tool (CSV, JSON, .xlsx): backups, access packages,
analysis data. Every text cell goes through :func:`register.policy.neutralise`, so a cell that
starts like a formula (=, +, -, @, tab, CR, LF, or their full-width forms) is shown as text by
Excel, LibreOffice and Google Sheets and never run.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from .policy import neutralise


def _cell(value: Any) -> Any:
    return neutralise(value) if isinstance(value, str) else value


def csv_text(rows: Iterable[Sequence[Any]], delimiter: str = ";") -> str:
    """Rows as CSV text (Dutch Excel's ';'), every text cell neutralised; ``None`` is empty."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v if isinstance(v, str | int | float) else str(v)) for v in row])
    return out.getvalue()


def csv_bytes(rows: Iterable[Sequence[Any]], delimiter: str = ";") -> bytes:
    """CSV as UTF-8 with a byte-order mark, so Excel opens accents correctly."""
    return ("\ufeff" + csv_text(rows, delimiter)).encode("utf-8")


def json_value(value: Any) -> Any:
    """A JSON-ready value with every string (keys too) neutralised."""
    if isinstance(value, dict):
        return {_cell(str(k)): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return _cell(value)


def json_bytes(value: Any) -> bytes:
    return json.dumps(json_value(value), ensure_ascii=False, indent=2).encode("utf-8")


def xlsx_bytes(rows: Iterable[Sequence[Any]], title: str = "Blad1") -> bytes:
    """A one-sheet workbook; text cells neutralised and stored as text, never as formulas."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c, value=_cell(value))
            if isinstance(value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
