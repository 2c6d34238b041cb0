"""Lighthouse scores of the demo site: Home, Klachtenregeling, Klacht indienen and one
Jaarverslag, mobile and desktop (target: at least 95 in every category). Prints figures.

Needs the npm package lighthouse and Debian's chromium:

    npm install --prefix /tmp/lh lighthouse
    python bench/bench_lighthouse.py [--lighthouse /tmp/lh/node_modules/.bin/lighthouse] [--plain]

The site is served on 127.0.0.1 with gzip, as any real host (GitHub Pages, Netlify, nginx,
Apache) serves text; ``--plain`` serves it uncompressed, like ``python -m http.server``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ratio import report as print_ratio  # noqa: E402
from generator.site.build import build_site  # noqa: E402
from register.config import load_config  # noqa: E402

PAGES = {"Home": "", "Klachtenregeling": "klachtenregeling/", "Klacht indienen": "klacht-indienen/",
         "Jaarverslag 2025": "jaarverslagen/2025/"}
TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", "/")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text gzip-compressed when the browser accepts it."""

    compress = True

    def send_head(self):  # noqa: ANN201 - http.server's own signature
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        if not (self.compress and "gzip" in self.headers.get("Accept-Encoding", "")
                and self.path.split("?")[0].endswith(TEXT) and os.path.isfile(path)):
            return super().send_head()
        body = gzip.compress(Path(path).read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io

        return io.BytesIO(body)

    def log_message(self, *args) -> None:  # quiet
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lighthouse", default="/tmp/lh/node_modules/.bin/lighthouse")
    parser.add_argument("--plain", action="store_true", help="serve without compression")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        build_site(load_config(ROOT / "klachten.toml"), dt.date(2026, 11, 21), site_dir=out, demo=True)
        GzipHandler.compress = not args.plain
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(GzipHandler, directory=str(out)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
        print(f"Lighthouse, demo site served {'plain' if args.plain else 'with gzip'}:")
        worst = 100
        for name, path in PAGES.items():
            for mode in ("mobile", "desktop"):
                report = Path(tmp) / "lh.json"
                subprocess.run([args.lighthouse, f"{origin}/{path}", "--quiet", "--output=json",
                                f"--output-path={report}", "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
                                *(["--preset=desktop"] if mode == "desktop" else [])],
                               check=True, env=env, capture_output=True)
                categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
                scores = {k: round(v["score"] * 100) for k, v in categories.items()}
                worst = min(worst, *scores.values())
                print(f"  {name:17} {mode:7} " + "  ".join(f"{k} {v}" for k, v in scores.items()))
        server.shutdown()
    print(f"  lowest score {worst} (target >= 95)")
    print_ratio("lighthouse_lowest_score", worst / 100, 0.95, higher=True)


if __name__ == "__main__":
    main()
