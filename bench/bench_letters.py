"""Letters: one letter through the real path against a bare WeasyPrint render of the same HTML;
500 letters on one process against all cores; then 100 letters sent to a local SMTP server
(aiosmtpd on 127.0.0.1) through the real path (render, outbox, sent log, one register write).
Prints figures and RATIO lines.

    python bench/bench_letters.py [--letters 500] [--send 100] [--single 20]

The letter ratio: letter_job (context, jinja template, fit checks) + write_pdf (render, atomic
write) per letter, against ``HTML(string=job.html).write_pdf()`` of the very same HTML, the two
taking turns, best of ``--single`` rounds per letter kind that the demo can make. Target <= 1.3x.
Only letters that may be made are chosen (letter_job raises LetterError for the others, e.g.
K2024-005 whose retention has expired).

What the profile found (cProfile, 10 acknowledgements after one warm-up, December 2026, on a
loaded machine): letter_job is ~6 ms per letter (letter_context ~5 ms, mostly pandas column
look-ups; the jinja Environment is built once and cached, rendering the template ~1 ms; the
fit checks are not on this path). write_pdf spends >98% in WeasyPrint (layout, then PDF
writing), the same calls as the bare render; the temporary file and os.replace are noise.
Fonts load on a process's first render only, so one warm-up of each precedes the rounds. A
one-page letter is within noise of bare WeasyPrint (0.85-1.2x measured on a loaded machine).
A letter that runs over one page (the demo's standpunt) is rendered twice: write_pdf lays it out
once to count the pages, then again with the page-number stylesheet, so it costs ~2x (1.88x
measured). Not fixed here: rendering the number stamp separately and merging it into the PDF
would change how the letters helper's page numbers are drawn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ratio import best_interleaved, report  # noqa: E402
from generator.letters.kinds import LETTER_KINDS  # noqa: E402
from generator.letters.render import letter_job, write_pdf, write_pdfs  # noqa: E402
from register.check import check_grid  # noqa: E402
from register.config import load_config  # noqa: E402
from register.demo import demo_rows  # noqa: E402
from register.errors import LetterError  # noqa: E402
from register.schema import MARKER  # noqa: E402
from register.sources import Grid  # noqa: E402

PEIL = dt.date(2026, 11, 21)


def makeable(result, config, kind: str, out: Path) -> list[int]:
    """Rows for which a letter of ``kind`` may be made (letter_job raises LetterError otherwise)."""
    rows = []
    for i in range(len(result.register)):
        if result.register.text("name")[i] == MARKER:
            continue
        try:
            letter_job(result, config, i, kind, out)
        except LetterError:
            continue
        rows.append(i)
    return rows


def bench_single(result, config, rounds: int, tmp: Path) -> None:
    """Per letter kind: the real path against a bare WeasyPrint render of the same HTML."""
    from weasyprint import HTML

    worst = 0.0
    for kind in LETTER_KINDS:
        rows = makeable(result, config, kind.name, tmp)
        if not rows:
            print(f"  {kind.name}: the demo has no complaint for which this letter may be made")
            continue
        i = rows[0]
        html = letter_job(result, config, i, kind.name, tmp).html

        def real(i=i, kind=kind.name) -> None:
            write_pdf(letter_job(result, config, i, kind, tmp))

        def bare(html=html) -> None:
            HTML(string=html, base_url=str(config.root)).write_pdf(tmp / "bare.pdf")

        real(), bare()  # the first of a process loads fonts: not what a letter costs
        t_real, t_bare = best_interleaved(rounds, real, bare)
        worst = max(worst, t_real / t_bare)
        print(f"  {kind.name}: {t_real * 1000:.0f} ms per letter; bare WeasyPrint {t_bare * 1000:.0f} ms; "
              f"ratio {t_real / t_bare:.2f}x (target <= 1.3x)")
        report(f"letter_{kind.name}", t_real / t_bare, 1.3)
    report("letter_worst", worst, 1.3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--send", type=int, default=100)
    parser.add_argument("--single", type=int, default=20, help="rounds per letter kind for the letter ratio")
    args = parser.parse_args()
    config = load_config(ROOT / "klachten.toml")
    result = check_grid(Grid(demo_rows(), "demo"), config, PEIL)
    with tempfile.TemporaryDirectory() as tmp:
        if args.single:
            print(f"one letter, real path against bare WeasyPrint (best of {args.single}):")
            bench_single(result, config, args.single, Path(tmp))
        if args.letters:
            rows = makeable(result, config, "ontvangstbevestiging", Path(tmp))
            jobs = []
            for n in range(args.letters):
                job = letter_job(result, config, rows[n % len(rows)], "ontvangstbevestiging", Path(tmp))
                jobs.append(job.__class__(Path(tmp) / f"{n}.pdf", job.html, job.base_url))
            cores = os.cpu_count() or 1
            start = time.perf_counter()
            write_pdfs(jobs, workers=1)
            single = time.perf_counter() - start
            start = time.perf_counter()
            write_pdfs(jobs, workers=cores)
            multi = time.perf_counter() - start
            n = args.letters
            print(f"{n} letters, 1 process: {single:.1f} s ({n / single:.1f} letters/s, {single / n * 1000:.0f} ms per letter)")
            print(f"{n} letters, {cores} processes: {multi:.1f} s ({n / multi:.1f} letters/s); "
                  f"speed-up {single / multi:.2f}x (target >= 1.6x on 2 cores)")
            if cores >= 2 and n >= 2:
                report("letters_parallel_speedup", single / multi, 1.6, higher=True)
    if args.send:
        bench_send(args.send)


def bench_send(n: int) -> None:
    from aiosmtpd.controller import Controller

    from generator.letters.render import due_letters
    from generator.letters.sending import send_letters
    from register.check import check_register
    from register.demo import write_xlsx
    from register.schema import COLUMNS

    class Sink:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.count += 1
            return "250 OK"

    day = dt.date(2026, 11, 23)
    rows = [[c.header for c in COLUMNS]]
    for k in range(n):
        values = {"complaint_no": f"K2026-{k:04d}", "received": day, "channel": "e-mail", "name": f"Klant {k}",
                  "email": f"klant{k}@voorbeeld.example", "description": "Monteur kwam niet opdagen.",
                  "handler": "S. Jansen", "status": "nieuw"}
        rows.append([values.get(c.key) for c in COLUMNS])
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            write_xlsx(Path(tmp) / "register.xlsx", rows)
            toml = (ROOT / "klachten.toml").read_text(encoding="utf-8")
            toml = toml.replace('pad = "data/demo-register.xlsx"', 'pad = "register.xlsx"')
            toml = toml.replace('host = "localhost"\nporto = 587'.replace("porto", "poort"),
                                f'host = "127.0.0.1"\npoort = {port}')
            toml = toml.replace('beveiliging = "starttls"', 'beveiliging = "geen"')
            (Path(tmp) / "klachten.toml").write_text(toml, encoding="utf-8")
            config = load_config(Path(tmp) / "klachten.toml")
            result = check_register(config, day)
            due, _ = due_letters(result, config)
            start = time.perf_counter()
            report = send_letters(config, result, due)
            seconds = time.perf_counter() - start
    finally:
        controller.stop()
    print(f"{len(report.sent)} letters rendered, mailed to a local SMTP server ({Sink.count} received) and "
          f"recorded: {seconds:.1f} s ({seconds / max(1, len(report.sent)) * 1000:.0f} ms per letter)")


if __name__ == "__main__":
    main()
