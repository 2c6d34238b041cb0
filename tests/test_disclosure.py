"""Disclosure control: no count below [site] minimum_aantal can be worked out from the
published figures. The attacker here is built independently of generator/site/disclosure.py:
it reads what the pages print ("12", "minder dan 3", "niet getoond", absent) and knows only the
relations any reader knows (every table adds up to its total, a "daarvan" never exceeds its
whole), then solves a linear program for the smallest and largest value of each hidden count."""

import datetime as dt
import math

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from generator.site.jaarverslag import build_reports
from register.check import check_grid
from register.sources import Grid
from tests.conftest import HEADERS, complaint

PEIL = dt.date(2026, 11, 21)


def reader_knowledge(reports) -> tuple[dict, list, list]:
    """(bounds per printed count, equations, inequalities) as a reader of the site has them."""
    pub = reports.pub
    bounds, equations, orders = {}, [], []

    def seen(name):
        if not pub.visible(name):
            return False
        text = pub.show(name)
        if text.startswith("minder dan "):
            bounds[name] = (1, int(text.removeprefix("minder dan ")) - 1)
        elif text == "niet getoond":
            bounds[name] = (pub.minimum, math.inf)
        else:
            value = int(text.replace(".", ""))
            bounds[name] = (value, value)
        return True

    for r in reports:
        n, closed = r.c("n"), r.c("closed")
        for name in r.cell.values():
            seen(name)
        tables = [(n, b.rows) for b in r.breakdowns] + [(closed, r.outcomes.rows), (r.c("esc"), r.escalations.rows)]
        if r.halves and pub.visible(r.halves[0][1]):
            tables += [(n, [(x, h[1]) for x, h in enumerate(r.halves)]),
                       (closed, [(x, h[2]) for x, h in enumerate(r.halves)])]
            orders += [(h[2], h[1]) for h in r.halves]
        for total, rows in tables:
            if rows and all(seen(name) for _, name in rows):
                equations.append((total, [name for _, name in rows]))
        equations += [(r.c("ack_n"), [r.c("ack_ok"), r.c("ack_late")]),
                      # Withdrawn complaints are handled but never in "standpunt op tijd".
                      (r.c("dec_n"), [r.c("dec_ok"), r.c("dec_closed_late"), r.c("dec_open_late")]),
                      (closed, [r.c("dec_ok"), r.c("dec_closed_late"), r.c("withdrawn")])]
        orders += [(closed, n), (r.c("ack_n"), n), (r.c("dec_n"), n), (r.c("ext"), n), (r.c("esc"), n),
                   (r.c("ext_ok"), r.c("ext"))]
        if r.compare and seen(r.compare[0]) and r.partial:
            # "dezelfde periode vorig jaar, 1 januari t/m <date>": within last year, and past
            # 30 June it holds last year's whole first half.
            orders.append((r.compare[0], f"{r.year - 1}.n"))
            if (r.through.month, r.through.day) >= (7, 1):
                orders.append((f"{r.year - 1}.1.r", r.compare[0]))
            else:
                orders.append((r.compare[0], f"{r.year - 1}.1.r"))
    equations = [(t, parts) for t, parts in equations if t in bounds and all(p in bounds for p in parts)]
    orders = [(a, b) for a, b in orders if a in bounds and b in bounds]
    return bounds, equations, orders


def recovered(reports) -> list[tuple[str, float, float]]:
    """Every count printed as hidden whose value the reader can pin to one whole number."""
    bounds, equations, orders = reader_knowledge(reports)
    names = sorted(bounds)
    index = {name: i for i, name in enumerate(names)}
    a_eq = []
    for total, parts in equations:
        row = np.zeros(len(names))
        row[index[total]] -= 1
        for p in parts:
            row[index[p]] += 1
        a_eq.append(row)
    a_ub = []
    for a, b in orders:
        row = np.zeros(len(names))
        row[index[a]] += 1
        row[index[b]] -= 1
        a_ub.append(row)
    if not names:
        return []
    box = [(lo, None if hi == math.inf else hi) for lo, hi in (bounds[n] for n in names)]
    # Solve per group of counts linked by some relation: years rarely touch, and small
    # programs are fast (the answer is the same as over the whole system).
    a_eq, a_ub = np.array(a_eq).reshape(-1, len(names)), np.array(a_ub).reshape(-1, len(names))
    links = np.vstack([a_eq, a_ub]) != 0
    adjacency = csr_matrix(links.T.astype(int) @ links.astype(int))
    _, component = connected_components(adjacency, directed=False)
    found = []
    for name in names:
        lo, hi = bounds[name]
        if lo == hi:
            continue  # printed exactly
        cols = np.flatnonzero(component == component[index[name]])
        eq = a_eq[:, cols][np.abs(a_eq[:, cols]).sum(axis=1) > 0]
        ub = a_ub[:, cols][np.abs(a_ub[:, cols]).sum(axis=1) > 0]
        ends = []
        for sign in (1, -1):
            c = np.zeros(len(cols))
            c[np.flatnonzero(cols == index[name])[0]] = sign
            res = linprog(c, A_eq=eq if len(eq) else None, b_eq=np.zeros(len(eq)) if len(eq) else None,
                          A_ub=ub if len(ub) else None, b_ub=np.zeros(len(ub)) if len(ub) else None,
                          bounds=[box[i] for i in cols], method="highs")
            assert res.status in (0, 3), (name, res.message)  # the printed figures are consistent
            ends.append(math.inf if res.status == 3 else sign * res.fun)
        if math.isfinite(ends[1]) and math.floor(ends[1] + 1e-6) <= math.ceil(ends[0] - 1e-6):
            found.append((name, ends[0], ends[1]))
    return found


CATEGORIES = ["product", "factuur", "levering"]
CAUSES = ["kwaliteit", "anders"]


@st.composite
def registers(draw):
    rows = []
    for i in range(draw(st.integers(0, 45))):
        received = dt.date(2024, 1, 1) + dt.timedelta(days=draw(st.integers(0, (PEIL - dt.date(2024, 1, 1)).days)))
        closed = draw(st.booleans())
        values = dict(complaint_no=f"K{i:03d}", received=received,
                      channel=draw(st.sampled_from(["e-mail", "brief", "telefoon"])),
                      category=draw(st.sampled_from(CATEGORIES + ["garantie"])),
                      cause=draw(st.sampled_from(CAUSES + [None])),
                      urgency=str(draw(st.integers(1, 3))))
        if draw(st.booleans()):
            values["acknowledged"] = received + dt.timedelta(days=draw(st.integers(0, 12)))
        if draw(st.integers(0, 4)) == 0:
            values["extension_sent"] = received + dt.timedelta(days=draw(st.integers(3, 20)))
        decided = received + dt.timedelta(days=draw(st.integers(0, 40)))
        if closed and decided <= PEIL:
            values.update(status="afgehandeld", decided=decided,
                          outcome=draw(st.sampled_from(["gegrond", "ongegrond", "deels gegrond"])))
            if draw(st.integers(0, 5)) == 0:
                values["escalated_to"] = draw(st.sampled_from(["Geschillencommissie", "kantonrechter"]))
        rows.append(complaint(**values))
    return rows


@settings(max_examples=100, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=registers(), minimum=st.sampled_from([3, 4, 5]))
def test_no_hidden_count_can_be_worked_out(make_config, rows, minimum):
    config = make_config(f'[lijsten]\ncategorieen = {CATEGORIES}\noorzaken = {CAUSES}\n'
                         f'[site]\nminimum_aantal = {minimum}\n'.replace("'", '"'))
    result = check_grid(Grid([HEADERS] + rows, "test"), config, PEIL)
    reports = build_reports(result, config)
    assert recovered(reports) == []
    pub = reports.pub
    for name, value in pub.figures.values.items():  # every small count is hidden or absent
        if 0 < value < minimum and name not in pub.figures.exact:
            assert pub.show(name) in (f"minder dan {minimum}", "niet getoond") or not pub.visible(name), name


def test_the_attacker_finds_what_primary_suppression_alone_leaves(make_config, monkeypatch):
    """The check above can fail: with only "minder dan 3", the demo's kind of leak is found."""
    import generator.site.jaarverslag as jv

    rows = [complaint(complaint_no=f"K{i}", received=dt.date(2025, 3, 2), category=c)
            for i, c in enumerate(["factuur"] * 2 + ["product"] * 5 + ["levering"] * 5)]
    config = make_config()
    result = check_grid(Grid([HEADERS] + rows, "test"), config, PEIL)
    safe = build_reports(result, config)
    assert recovered(safe) == []
    assert safe.pub.show("2025.category.factuur") == "minder dan 3"
    assert "niet getoond" in {safe.pub.show("2025.category.product"), safe.pub.show("2025.category.levering")}
    primary_only = lambda fig, m, cache: {n: ("small" if 0 < v < m else "shown") for n, v in fig.values.items()}  # noqa: E731
    monkeypatch.setattr(jv, "_protect_cached", primary_only)
    leaky = build_reports(result, config)
    assert ("2025.category.factuur", 2.0, 2.0) in recovered(leaky)


def test_a_complement_that_the_rest_pins_is_shown_not_called_hidden(make_config, monkeypatch):
    """Hiding the first half-year to protect its one closed complaint is undone by n − the
    second half once the second half's closed count is hidden too: the first half then
    prints as its number, and nothing a reader can work out is labelled "niet getoond"."""
    import generator.site.disclosure as disclosure

    def row(i, received, closed):
        values = dict(complaint_no=f"K{i}", received=received, category="product", cause="kwaliteit",
                      channel="e-mail", urgency="2", acknowledged=received)
        if closed:
            values.update(status="afgehandeld", decided=received + dt.timedelta(days=1), outcome="gegrond")
        return complaint(**values)

    rows = ([row(i, dt.date(2024, 3, 4), i == 0) for i in range(3)]
            + [row(10 + i, dt.date(2024, 9, 2), i < 4) for i in range(5)])
    config = make_config()
    result = check_grid(Grid([HEADERS] + rows, "test"), config, PEIL)
    reports = build_reports(result, config)
    assert recovered(reports) == []
    assert reports.pub.show("2024.1.c") == "minder dan 3"
    assert reports.pub.show("2024.1.r") == "3"
    monkeypatch.setattr(disclosure, "_reveal_pinned", lambda figures, status, minimum: status)
    monkeypatch.setattr("generator.site.jaarverslag.PROTECT_VERSION", -1)  # miss the cache
    assert ("2024.1.r", 3.0, 3.0) in recovered(build_reports(result, config))
