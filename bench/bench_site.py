"""Site build for 50,000 complaints over 10 years: `klachten site` against a bare `mkdocs
build` of the same generated pages, in the same run. Prints figures.

    python bench/bench_site.py [--rows 50000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.site.build import build_site  # noqa: E402
from generator.site.jaarverslag import build_reports  # noqa: E402
from generator.site.plugin import generated_pages  # noqa: E402
from register.check import check_grid  # noqa: E402
from register.demo import synthetic_grid, write_xlsx  # noqa: E402
from register.sources import Grid  # noqa: E402

PEIL = dt.date(2026, 11, 21)


def time_guard(config, result, site: Path, private: Path) -> dict[str, float]:
    """The privacy guard alone on a built site, as on_post_build runs it, best of 3; and once
    more with the remembered hashes of 5,000 anonymised complaints."""
    from mkdocs.config import load_config as load_mkdocs

    from generator.site.plugin import own_words
    from generator.site.privacy import find_leaks, package_copies, personal_values
    from register.personal import remember, remembered, rows_tokens

    theme_dirs = load_mkdocs(str(ROOT / "mkdocs.yml")).theme.dirs
    times: dict[str, list[float]] = {}
    for _ in range(3):
        marks = [time.perf_counter()]
        allowed = own_words(config)
        values = personal_values(result.register)
        marks.append(time.perf_counter())
        skip = package_copies(site, theme_dirs)
        marks.append(time.perf_counter())
        leaks = find_leaks(site, values, allowed, None, skip)
        marks.append(time.perf_counter())
        assert not leaks, leaks[:3]
        for name, a, b in (("register cells", 0, 1), ("theme copies", 1, 2), ("scan and match", 2, 3), ("total", 0, 3)):
            times.setdefault(name, []).append(marks[b] - marks[a])
    remember(private, rows_tokens(result.register, list(range(5000))))
    start = time.perf_counter()
    find_leaks(site, values, allowed, remembered(private), skip)
    times["scan with 5,000 remembered complaints"] = [time.perf_counter() - start]
    print(f"privacy guard ({sum(len(v) for v, _ in values.values()):,} personal cells, {len(skip)} theme files skipped):")
    for name, values_ in times.items():
        print(f"  {name}: {min(values_):.3f} s")
    return {k: min(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        grid = synthetic_grid(args.rows, years=10, serial_dates=False)
        write_xlsx(tmp / "register.xlsx", grid)
        (tmp / "klachten.toml").write_text('[register]\npad = "register.xlsx"\n[organisatie]\nnaam = "Bench B.V."\n',
                                           encoding="utf-8")
        from register.config import load_config

        config = load_config(tmp / "klachten.toml")
        cold = tmp / "private" / "cache"
        shutil.rmtree(cold, ignore_errors=True)
        _, first = build_site(config, PEIL, site_dir=tmp / "out1", demo=True)  # charts not cached yet
        _, klachten = build_site(config, PEIL, site_dir=tmp / "out2", demo=True)  # charts cached

        time_guard(config, check_grid(Grid(grid, "bench"), config, PEIL), tmp / "out2", tmp / "remembered")

        # The same generated pages as static files, built by a bare mkdocs without our hook.
        result = check_grid(Grid(grid, "bench"), config, PEIL)
        docs = tmp / "docs"
        shutil.copytree(ROOT / "site", docs)
        for path, content in generated_pages(config, build_reports(result, config)).items():
            target = docs / path
            target.parent.mkdir(parents=True, exist_ok=True)
            (target.write_bytes if isinstance(content, bytes) else target.write_text)(content)
        yml = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
        yml = yml.replace("  - klachten\n", "").replace("docs_dir: site", f"docs_dir: {docs}")
        yml = yml.replace("custom_dir: templates/theme", f"custom_dir: {ROOT / 'templates' / 'theme'}")
        (tmp / "mkdocs.yml").write_text(yml, encoding="utf-8")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp / "out3")], cwd=tmp, check=True,
                       env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        bare = time.perf_counter() - start
        # Both as commands, start-up included, as a user or cron would run them.
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator.app.cli", "site", "--demo", "--peildatum", PEIL.isoformat(),
                        "--config", str(tmp / "klachten.toml")], cwd=ROOT, check=True, capture_output=True,
                       env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        command = time.perf_counter() - start
    print(f"site for {args.rows:,} complaints over 10 years:")
    print(f"  in process: klachten site {klachten:.2f} s warm, {first:.2f} s first build (charts not cached)")
    print(f"  as commands: klachten site {command:.2f} s; bare mkdocs build of the same pages {bare:.2f} s")
    print(f"  ratio {command / bare:.2f}x as commands, {klachten / bare:.2f}x in process warm, "
          f"{first / bare:.2f}x first build (target <= 1.5x)")


if __name__ == "__main__":
    main()
