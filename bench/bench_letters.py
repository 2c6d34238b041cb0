"""Render 500 letters: one process against all cores, in the same run; then send 100 letters
to a local SMTP server (aiosmtpd on 127.0.0.1) through the real path (render, outbox, sent log,
one register write). Prints figures.

    python bench/bench_letters.py [--letters 500] [--send 100]
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

from generator.letters.render import letter_job, write_pdfs  # noqa: E402
from register.check import check_grid  # noqa: E402
from register.config import load_config  # noqa: E402
from register.demo import demo_rows  # noqa: E402
from register.schema import MARKER  # noqa: E402
from register.sources import Grid  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=500)
    parser.add_argument("--send", type=int, default=100)
    args = parser.parse_args()
    if args.send:
        bench_send(args.send)
    if not args.letters:
        return
    config = load_config(ROOT / "klachten.toml")
    result = check_grid(Grid(demo_rows(), "demo"), config, dt.date(2026, 11, 21))
    rows = [i for i in range(len(result.register)) if result.register.text("name")[i] != MARKER]
    with tempfile.TemporaryDirectory() as tmp:
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
