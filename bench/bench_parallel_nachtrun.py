"""Two `nachtrun` processes at once, over many days, against one slow aiosmtpd server on
127.0.0.1 (each DATA takes a while, so both runs would be sending at the same moment).
Prints the copies received per day, the exit codes and how long a round took.

    python bench/bench_parallel_nachtrun.py [--rounds 10] [--data-delay 2]
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from email import message_from_bytes, policy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ratio import report  # noqa: E402
from register.demo import write_xlsx  # noqa: E402
from tests.conftest import BASE_TOML, HEADERS  # noqa: E402
from tests.smtp_servers import smtp_server  # noqa: E402
from tests.test_cli_nachtrun import ROWS, mail_toml  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--data-delay", type=float, default=2.0)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp, smtp_server(data_delay=args.data_delay) as (server, port):
        tmp = Path(tmp)
        write_xlsx(tmp / "register.xlsx", [HEADERS] + ROWS)
        toml = tmp / "klachten.toml"
        toml.write_text(BASE_TOML + "\n" + mail_toml(port).replace("timeout_seconden = 2", "timeout_seconden = 30"),
                        encoding="utf-8")
        codes: collections.Counter = collections.Counter()
        crashes = 0
        started = time.perf_counter()
        for n in range(args.rounds):
            day = (dt.date(2026, 3, 27) + dt.timedelta(days=n)).isoformat()
            procs = [subprocess.Popen([sys.executable, "-m", "generator.app.cli", "nachtrun", "--peildatum", day,
                                       "--config", str(toml)], env=env, cwd=tmp, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(2)]
            for p in procs:
                out, err = p.communicate(timeout=300)
                codes[p.returncode] += 1
                crashes += "Traceback" in err or "mail:" not in out and "nachtrun:" not in out
        seconds = time.perf_counter() - started
        per_day = collections.Counter(message_from_bytes(e.original_content, policy=policy.default)["X-Klachten-Dag"]
                                      for e in server.messages)
    print(f"rounds (2 processes each): {args.rounds}, {seconds / args.rounds:.1f} s per round")
    print(f"digests received: {len(server.messages)}; per day: {sorted(collections.Counter(per_day.values()).items())}"
          " (copies, days)")
    print(f"exit codes: {dict(sorted(codes.items()))}; runs without a step report or with a traceback: {crashes}")
    # Exactly once: every day one digest, however the two processes raced.
    copies = max(per_day.values(), default=0)
    report("nachtrun_digests_per_day", copies, 1, ok=copies == 1 and len(per_day) == args.rounds and not crashes)


if __name__ == "__main__":
    main()
