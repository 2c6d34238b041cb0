"""Site build for 50,000 complaints over 10 years: `klachten site` against its baseline,
reading the register plus a bare `mkdocs build` of the same generated pages, in the same run.
Prints figures (targets: warm <= 1.5x, first build <= 2.5x).

    python bench/bench_site.py [--rows 50000] [--runs 3]
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


def bare_build(yml: Path, out: Path) -> float:
    """A bare mkdocs build (no klachten plugin) of static pages, in process; seconds."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config as load_mkdocs

    start = time.perf_counter()
    build(load_mkdocs(str(yml), site_dir=str(out)))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3, help="warm builds; the best is reported")
    args = parser.parse_args()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from register.config import load_config
    from register.sources import open_source

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        grid = synthetic_grid(args.rows, years=10, serial_dates=False)
        write_xlsx(tmp / "register.xlsx", grid)
        (tmp / "klachten.toml").write_text('[register]\npad = "register.xlsx"\n[organisatie]\nnaam = "Bench B.V."\n',
                                           encoding="utf-8")
        config = load_config(tmp / "klachten.toml")
        shutil.rmtree(config.cache_dir(), ignore_errors=True)
        from register.sources import xlsx

        xlsx._LAST_READ.clear()
        _, first = build_site(config, PEIL, site_dir=tmp / "out1", demo=True)  # nothing cached yet
        warms = []
        for i in range(args.runs):
            xlsx._LAST_READ.clear()  # the register is read again, as by every run of the command
            warms.append(build_site(config, PEIL, site_dir=tmp / f"out-w{i}", demo=True)[1])
        warm = min(warms)

        time_guard(config, check_grid(Grid(grid, "bench"), config, PEIL), tmp / "out-w0", tmp / "remembered")

        # The baseline: read the register (as any tool must) + a bare mkdocs build of the same
        # generated pages as static files, without our plugin.
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
        reads, bares = [], []
        from register.sources import xlsx

        for i in range(args.runs):
            xlsx._LAST_READ.clear()  # a cold read, as a command does it
            start = time.perf_counter()
            open_source(config).read()
            reads.append(time.perf_counter() - start)
            bares.append(bare_build(tmp / "mkdocs.yml", tmp / f"out-b{i}"))
        read, bare = min(reads), min(bares)
        baseline = read + bare
        # Both as commands, start-up included, as a user or cron would run them.
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "generator.app.cli", "site", "--demo", "--peildatum", PEIL.isoformat(),
                        "--config", str(tmp / "klachten.toml")], cwd=ROOT, check=True, capture_output=True, env=env)
        command = time.perf_counter() - start
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp / "out-c")], cwd=tmp, check=True,
                       env=env)
        bare_command = time.perf_counter() - start + read
    print(f"site for {args.rows:,} complaints over 10 years (best of {args.runs}):")
    print(f"  baseline: read the register {read:.2f} s + bare mkdocs build of the same pages {bare:.2f} s "
          f"= {baseline:.2f} s")
    print(f"  klachten site in process: {warm:.2f} s warm, {first:.2f} s first build (nothing cached)")
    print(f"  ratio warm {warm / baseline:.2f}x (target <= 1.5x), first build {first / baseline:.2f}x (target <= 2.5x)")
    print(f"  as commands: klachten site {command:.2f} s, mkdocs build + read {bare_command:.2f} s: "
          f"{command / bare_command:.2f}x")


if __name__ == "__main__":
    main()
