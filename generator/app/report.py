"""Terminal output of `klachten controleer`: findings and flags as rich tables."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from register.check import CheckResult
from register.parse import format_date_nl
from register.periods import half_year
from register.plural import count
from register.signals import BY_NAME
from register.validate import Severity


def print_check(console: Console, result: CheckResult) -> None:
    reg = result.register
    errors = sum(f.ernst is Severity.FOUT for f in result.findings)
    warnings = len(result.findings) - errors
    console.print(f"[bold]{count(len(reg), 'klacht', 'klachten')}[/bold] gelezen uit {reg.grid.label}, "
                  f"peildatum {format_date_nl(result.peildatum)}.", soft_wrap=not console.is_terminal)
    row: Any  # pandas-stubs gives itertuples() fields one broad scalar union
    if not console.is_terminal:  # cron mail, a pipe, a file: plain lines, no table that breaks words
        for f in result.findings:
            console.file.write(f"{f.cel}\t{f.klachtnummer or '-'}\t{f.ernst}\t{f.melding}"
                               + (f" (tip: {f.hint})" if f.hint else "") + "\n")
        for row in result.flags.itertuples(index=False):
            console.file.write(f"{row.klachtnummer}\t{BY_NAME[row.signaal].label}\tuiterlijk "
                               f"{format_date_nl(row.uiterlijk.date())}\t{_days(int(row.dagen_te_laat))}\t"
                               f"{row.behandelaar}\n")
    else:
        if result.findings:
            table = Table(title="Problemen in het register", title_justify="left", show_lines=False)
            for name in ("Cel", "Klachtnummer", "Ernst", "Melding", "Tip"):
                table.add_column(name, overflow="fold")
            for f in result.findings:
                style = "red" if f.ernst is Severity.FOUT else "yellow"
                table.add_row(f.cel, f.klachtnummer, f"[{style}]{f.ernst}[/{style}]", f.melding, f.hint or "")
            console.print(table)
        if len(result.flags):
            table = Table(title="Signalen", title_justify="left")
            for name in ("Klachtnummer", "Signaal", "Uiterlijk", "Dagen", "Behandelaar"):
                table.add_column(name, overflow="fold")
            for row in result.flags.itertuples(index=False):
                when = _days(int(row.dagen_te_laat))
                table.add_row(row.klachtnummer, BY_NAME[row.signaal].label, format_date_nl(row.uiterlijk.date()),
                              when, row.behandelaar)
            console.print(table)
    if result.reminders is not None:
        for signal, label in zip(result.reminders["signaal"], result.reminders["periode"], strict=True):
            period = half_year(str(label))
            console.print(f"Herinnering: {BY_NAME[str(signal)].label} voor het {period.in_words()} "
                          f"(klachten analyse --periode {period.label}).", soft_wrap=True)
    console.print(f"{count(errors, 'fout', 'fouten')}, {count(warnings, 'waarschuwing', 'waarschuwingen')}, "
                  f"{count(len(result.flags), 'signaal', 'signalen')}.")


def _days(days: int) -> str:
    if days > 0:
        return f"{count(days, 'dag', 'dagen')} te laat"
    return "vandaag" if days == 0 else f"nog {count(-days, 'dag', 'dagen')}"
