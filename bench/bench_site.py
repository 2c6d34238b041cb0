"""Site build for 50,000 complaints over 10 years: `klachten site` against its baseline,
reading the register plus a bare `mkdocs build` of the same generated pages, in the same run
(targets: warm <= 1.5x, first build <= 2.5x). Also: the demo site's first build with the
virtual environment inside the checkout (the README's install) against the same build from a
copy of the checkout with the environment elsewhere (target <= 1.2x), and the privacy matcher
on long free texts, whose cost must grow with the site's text plus the register's, not with
their product. Every ratio is printed as one line a script can read:

    RATIO name=<name> value=<x> target=<y> ok=yes|no

(the shared format of bench/ratio.py)

Run it from the README's install (``.venv/bin/python bench/bench_site.py``):

    python bench/bench_site.py [--rows 50000] [--runs 3] [--skip-venv] [--skip-long]

What a profile of `klachten site` showed (50,000 complaints, 2026-12-03):
- the privacy guard built an Aho-Corasick automaton from every 6-word run of every built page
  once per personal column (nine a build; the long-texts case: 30 s, 6.5 s in make_automaton),
  and with .venv inside the checkout it read mkdocs-material's bundles word by word, because
  `package_copies` took every theme folder inside the checkout for our own (demo: 62.7 s
  against 6.1 s with the venv elsewhere). Now the words of both sides are factorised once, each
  6-word run hashed and matched in one sorted merge per build (cost ~ site + register), and
  theme files are recognised by the sha256 in their package's RECORD wherever the venv lives:
  the guard on this site went from 13.5 s to 1.6 s;
- a warm rebuild normalised the whole register again in the guard although no built file had
  changed: now the guard stops when every file was found clean before (guard_cache.py), theme
  copies are looked up only for files new to that cache, and the register's personal columns
  are made and normalised once per run, shared by `controleer`'s boundary check
  (register/boundary.py, first version 11.6 s, now ~0.4 s) and the guard;
- what remains above the baseline: checking the register (deadlines, signals, findings: ~2.7
  s), the year reports (~0.8 s; the disclosure programs are cached by their counts), and on a
  first build the public form's PDF (WeasyPrint, 3-5 s, cached by its HTML afterwards) and the
  full guard scan. Last run: warm 1.79x, first 3.17x (targets 1.5x and 2.5x: not yet met).
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
from generator.site.pages import generated_pages  # noqa: E402
from register.check import check_grid  # noqa: E402
from register.demo import synthetic_grid, write_xlsx  # noqa: E402
from register.sources import Grid  # noqa: E402

PEIL = dt.date(2026, 11, 21)


def bench_line(name: str, ratio: float, target: float) -> str:
    """The one line a script reads, in the format every benchmark shares (bench/ratio.py)."""
    from bench.ratio import ratio_line

    line = ratio_line(name, ratio, target)
    print(line, flush=True)
    return line


def venv_inside_checkout() -> bool:
    return Path(sys.prefix).resolve().is_relative_to(ROOT)


def copy_checkout(target: Path) -> Path:
    """The files git knows (no .venv, no private folder), as a second checkout."""
    names = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True, capture_output=True).stdout
    for name in filter(None, names.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def bench_venv(tmp: Path, runs: int) -> float:
    """The demo site's first build run from this checkout (its .venv inside it) against the same
    command run from a copy of the checkout (so the same environment is elsewhere); best of runs."""
    from register.config import load_config

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    elsewhere = copy_checkout(tmp / "checkout-elsewhere")
    times: dict[str, list[float]] = {"inside": [], "elsewhere": []}
    for n in range(runs):
        for label, cwd in (("inside", ROOT), ("elsewhere", elsewhere)):
            work = tmp / f"demo-{label}-{n}"
            work.mkdir()
            shutil.copy2(ROOT / "klachten.toml", work / "klachten.toml")
            shutil.copytree(ROOT / "data", work / "data")
            shutil.rmtree(load_config(work / "klachten.toml").cache_dir(), ignore_errors=True)
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "generator.app.cli", "site", "--demo", "--peildatum",
                                   PEIL.isoformat(), "--config", str(work / "klachten.toml")],
                                  cwd=cwd, env=env, capture_output=True, text=True)
            times[label].append(time.perf_counter() - start)
            if done.returncode != 0:
                raise SystemExit(f"demo build ({label}) failed: {done.stdout}{done.stderr}")
    inside, outside = min(times["inside"]), min(times["elsewhere"])
    where = "inside the checkout" if venv_inside_checkout() else "OUTSIDE the checkout (not the README's install)"
    print(f"demo site, first build, environment {where}: {inside:.2f} s; from a copy of the checkout "
          f"(environment elsewhere): {outside:.2f} s (best of {runs})")
    bench_line("site_venv_inside_vs_elsewhere", inside / outside, 1.2)
    return inside / outside


def bench_long_texts(tmp: Path) -> float:
    """The guard's matcher on long free texts: a register of R complaints whose Omschrijving,
    Oplossing and Onderzoek hold 120 words each, against a site of S words of page text.
    Doubling both sides costs about 2x when the cost grows with R + S, 4x with R * S."""
    import random

    from generator.site.privacy import find_leaks

    rng = random.Random(7)
    vocabulary = [f"{rng.choice('bdfgklmnprstvwz')}{rng.choice('aeiou')}{rng.choice('bdfgklmnprstvwz')}"
                  f"{rng.choice('aeiou')}{rng.choice('nrstlk')}{n}" for n in range(20_000)]

    def text(n: int) -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(n))

    def columns(rows: int) -> dict[str, tuple[list[str], list[int]]]:
        numbers = list(range(2, rows + 2))
        return {key: ([text(120) for _ in range(rows)], numbers) for key in ("description", "solution", "investigation")}

    def site(words: int, name: str) -> Path:
        folder = tmp / name
        folder.mkdir()
        for page in range(20):
            (folder / f"pagina-{page}.html").write_text(f"<html><body><p>{text(words // 20)}</p></body></html>",
                                                        encoding="utf-8")
        return folder

    small_register, large_register = columns(2_000), columns(4_000)
    small_site, large_site = site(100_000, "long-s"), site(200_000, "long-l")
    timed = {}
    for label, register, folder in (("R,S", small_register, small_site), ("2R,S", large_register, small_site),
                                    ("R,2S", small_register, large_site), ("2R,2S", large_register, large_site)):
        best = []
        for _ in range(2):
            start = time.perf_counter()
            find_leaks(folder, register)
            best.append(time.perf_counter() - start)
        timed[label] = min(best)
    words_r = sum(len(v.split()) for values, _ in small_register.values() for v in values)
    print(f"privacy matcher on long free texts (R = {words_r:,} register words, S = 100,000 site words): "
          + ", ".join(f"{k} {v:.2f} s" for k, v in timed.items()))
    return bench_line("site_guard_long_texts_doubling_both", timed["2R,2S"] / timed["R,S"], 2.5)


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
    remember(private, rows_tokens(result.register, list(range(min(5000, len(result.register))))))
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
    parser.add_argument("--skip-venv", action="store_true", help="leave out the .venv inside/elsewhere comparison")
    parser.add_argument("--skip-long", action="store_true", help="leave out the long free texts case")
    args = parser.parse_args()
    if not venv_inside_checkout():
        print(f"let op: deze Python ({sys.prefix}) staat niet in de checkout; de README installeert .venv/ erin")
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
    print(f"  as commands: klachten site {command:.2f} s, mkdocs build + read {bare_command:.2f} s: "
          f"{command / bare_command:.2f}x")
    bench_line("site_warm", warm / baseline, 1.5)
    bench_line("site_first", first / baseline, 2.5)
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_long:
            bench_long_texts(Path(tmp))
        if not args.skip_venv:
            bench_venv(Path(tmp), max(1, min(args.runs, 2)))


if __name__ == "__main__":
    main()
