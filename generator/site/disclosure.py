"""Disclosure control for the published figures: small counts stay hidden under arithmetic.

A published figure set is a collection of named counts (cells) with the linear relations a
reader knows between them: a total equals the sum of its parts (a *group*: the rows of a
table), and one count never exceeds another (an *order*: "waarvan", on time ≤ measured).
Counts from 1 to ``minimum - 1`` are shown as "minder dan N" (primary suppression). That alone
is undone by subtraction, so :func:`protect` adds complementary (secondary) suppression: it
audits the figures as an attacker would, with a linear program per hidden small count (the
smallest and largest value it can take given everything published), and as long as one is
pinned to a single integer it hides one more count beside it ("niet getoond"), or, when no
count is left to hide, withholds the whole table.

Statuses and what a reader learns from them (the attacker model, used here and in the tests):
``shown`` the exact value; ``small`` a value in 1..minimum-1; ``hidden`` a value of at least
``minimum`` (only counts that large are hidden as a complement); ``dropped`` nothing: the figure
is absent, and a dropped group's rows are absent too, so its equation is unknown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

SHOWN, SMALL, HIDDEN, DROPPED = "shown", "small", "hidden", "dropped"


@dataclass(frozen=True)
class Group:
    """A table: ``total`` equals the sum of ``parts`` (each part appears as a row only if ≥ 1)."""

    total: str
    parts: tuple[str, ...]
    table: str = ""  # groups of one table (two columns) are withheld together


@dataclass
class Figures:
    """Named counts with the relations a reader knows between them."""

    values: dict[str, int] = field(default_factory=dict)
    groups: list[Group] = field(default_factory=list)
    orders: list[tuple[str, str]] = field(default_factory=list)  # (a, b): a <= b
    exact: set[str] = field(default_factory=set)  # always printed exactly (see protect)

    def add(self, name: str, value: int) -> str:
        self.values[name] = int(value)
        return name


def attacker_bounds(status: str, value: int, minimum: int) -> tuple[float, float] | None:
    """What a reader knows about one count from how it is published (None: it is absent)."""
    if status == SHOWN:
        return (value, value)
    if status == SMALL:
        return (1, minimum - 1)
    if status == HIDDEN:
        return (minimum, math.inf)
    return None


def _bounds_of(status: str, value: int, minimum: int) -> tuple[float, float]:
    """attacker_bounds of a count that is published in some form (every unknown is)."""
    bounds = attacker_bounds(status, value, minimum)
    assert bounds is not None, "an unknown count is always published in some form"
    return bounds


def _system(figures: Figures, status: dict[str, str]) -> tuple[list[str], list[tuple[np.ndarray, float, bool]]]:
    """The unknowns (counts not shown exactly) and the relations a reader knows over them,
    each as (coefficients, right-hand side, is equality)."""
    unknown = sorted({n for n in figures.values if status[n] in (SMALL, HIDDEN)})
    index = {n: i for i, n in enumerate(unknown)}
    known = {n: float(v) for n, v in figures.values.items() if status[n] == SHOWN}
    rows: list[tuple[np.ndarray, float, bool]] = []  # (coefficients, right-hand side, is equality)

    def linear(terms: list[tuple[str, float]]) -> tuple[np.ndarray, float] | None:
        row, const = np.zeros(len(unknown)), 0.0
        for name, sign in terms:
            if name in index:
                row[index[name]] += sign
            elif name in known:
                const += sign * known[name]
            else:
                return None  # an absent figure: the reader does not know this relation
        return row, const

    for g in figures.groups:
        if status[g.total] == DROPPED or any(status[p] == DROPPED for p in g.parts):
            continue
        eq = linear([(g.total, -1.0)] + [(p, 1.0) for p in g.parts])
        if eq is not None and eq[0].any():
            rows.append((eq[0], -eq[1], True))
    for a, b in figures.orders:
        ub = linear([(a, 1.0), (b, -1.0)])
        if ub is not None and ub[0].any():
            rows.append((ub[0], -ub[1], False))
    return unknown, rows


def propagated(figures: Figures, status: dict[str, str], minimum: int) -> dict[str, tuple[float, float]]:
    """Bounds by repeated interval reasoning over each relation on its own: fast and sound
    (never tighter than the truth), but weaker than :func:`value_range`."""
    unknown, rows = _system(figures, status)
    lo = np.array([_bounds_of(status[n], figures.values[n], minimum)[0] for n in unknown], dtype=np.float64)
    hi = np.array([_bounds_of(status[n], figures.values[n], minimum)[1] for n in unknown], dtype=np.float64)
    for _ in range(20):
        changed = False
        for coef, rhs, eq in rows:
            idx = np.flatnonzero(coef)
            a = coef[idx]
            low_terms = np.where(a > 0, a * lo[idx], a * hi[idx])
            high_terms = np.where(a > 0, a * hi[idx], a * lo[idx])
            for k, i in enumerate(idx):
                rest_low = np.delete(low_terms, k).sum()  # only -inf can occur here
                rest_high = np.delete(high_terms, k).sum()  # only +inf
                # a_i x_i <= rhs - rest_low; for equalities also a_i x_i >= rhs - rest_high
                upper = (rhs - rest_low) / a[k]
                lower = (rhs - rest_high) / a[k] if eq else -math.inf
                if a[k] < 0:
                    upper, lower = lower, upper
                if upper < hi[i] - 1e-9:
                    hi[i], changed = upper, True
                if lower > lo[i] + 1e-9:
                    lo[i], changed = lower, True
        if not changed:
            break
    return {n: (lo[i], hi[i]) for i, n in enumerate(unknown)}


def value_range(figures: Figures, status: dict[str, str], minimum: int,
                targets: list[str], first_pinned: bool = False) -> dict[str, tuple[float, float]]:
    """The smallest and largest value each target can take given the published figures.

    One small linear program per target and direction, over only the unknowns connected to the
    target by some relation (a year's figures rarely touch another year's). With
    ``first_pinned`` it stops at the first target pinned to a single value.
    """
    from scipy.optimize import linprog

    unknown, rows = _system(figures, status)
    index = {n: i for i, n in enumerate(unknown)}
    # Connected components of unknowns (union-find over the relations).
    parent = list(range(len(unknown)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for coef, _, _ in rows:
        members = np.flatnonzero(coef)
        for j in members[1:]:
            parent[root(int(j))] = root(int(members[0]))
    bounds = [_bounds_of(status[n], figures.values[n], minimum) for n in unknown]
    ranges: dict[str, tuple[float, float]] = {}
    for name in targets:
        if name not in index:
            continue
        comp = [i for i in range(len(unknown)) if root(i) == root(index[name])]
        local = {i: k for k, i in enumerate(comp)}
        mine = [(coef[comp], rhs, eq) for coef, rhs, eq in rows if coef[comp].any()]
        a_eq = [c for c, _, eq in mine if eq]
        b_eq = [r for _, r, eq in mine if eq]
        a_ub = [c for c, _, eq in mine if not eq]
        b_ub = [r for _, r, eq in mine if not eq]
        box = [(bounds[i][0], None if bounds[i][1] == math.inf else bounds[i][1]) for i in comp]
        c = np.zeros(len(comp))
        c[local[index[name]]] = 1.0
        ends = []
        for sign in (1.0, -1.0):
            if not mine:
                lo, hi = bounds[index[name]]
                ends.append(lo if sign > 0 else hi)
                continue
            res = linprog(sign * c, A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub or None,
                          A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None, bounds=box,
                          method="highs")
            ends.append(math.inf if res.status == 3 else sign * res.fun)
        ranges[name] = (ends[0], ends[1])
        if first_pinned and pinned(*ranges[name]):
            return {name: ranges[name]}
    return ranges


def pinned(lo: float, hi: float) -> bool:
    """True when only one whole number lies in [lo, hi]."""
    if math.isinf(hi) or math.isinf(lo):
        return False
    return math.floor(hi + 1e-6) <= math.ceil(lo - 1e-6)


def recoverable(figures: Figures, status: dict[str, str], minimum: int, first: bool = False) -> list[str]:
    """Hidden small counts whose value follows from the published figures."""
    targets = [n for n, v in figures.values.items() if status[n] in (SMALL, HIDDEN) and 0 < v < minimum]
    if first:  # the cheap reasoning usually finds one; the linear programs settle the rest
        quick = propagated(figures, status, minimum)
        for name in targets:
            if name in quick and pinned(*quick[name]):
                return [name]
    ranges = value_range(figures, status, minimum, targets, first_pinned=first)
    return [n for n, (lo, hi) in ranges.items() if pinned(lo, hi)]


def protect(figures: Figures, minimum: int) -> dict[str, str]:
    """Choose a status per count so that no small count can be worked out from the rest.

    Counts in ``figures.exact`` (how many complaints were handled late: our own performance,
    which the regeling promises to report) are never suppressed; they still count as known
    to the reader. Groups whose total is not shown exactly are withheld from the start: their rows would say
    little and give much away. Groups of one table are withheld together.
    """
    status = {n: (SMALL if 0 < v < minimum and n not in figures.exact else SHOWN) for n, v in figures.values.items()}
    if minimum <= 1:
        return status
    totals = {g.total for g in figures.groups}

    def drop_group(group: Group) -> None:
        for g in figures.groups:
            if g is group or (group.table and g.table == group.table):
                for part in g.parts:
                    status[part] = DROPPED

    for g in figures.groups:
        if status[g.total] != SHOWN:
            drop_group(g)
    for _ in range(10 * len(figures.values) + 10):
        exposed = recoverable(figures, status, minimum, first=True)
        if not exposed:
            return _reveal_pinned(figures, status, minimum)
        cell = exposed[0]
        related = [g for g in figures.groups if cell in g.parts or cell == g.total]
        related = [g for g in related if not any(status[p] == DROPPED for p in g.parts)]
        neighbours = {p for g in related for p in (g.total, *g.parts)}
        neighbours |= {x for pair in figures.orders if cell in pair for x in pair}
        candidates = sorted((figures.values[n], n) for n in neighbours
                            if status[n] == SHOWN and figures.values[n] >= minimum and n not in totals)
        if candidates:
            status[candidates[0][1]] = HIDDEN
            continue
        own = [g for g in related if cell in g.parts]
        if own:
            drop_group(own[0])
        else:
            status[cell] = DROPPED
    raise RuntimeError("disclosure control did not settle")  # unreachable: each step hides more


def _reveal_pinned(figures: Figures, status: dict[str, str], minimum: int) -> dict[str, str]:
    """Show complements that the rest pins to one value anyway.

    A complement hidden early can become derivable once later ones are hidden beside it
    (n − the other half-year). Printing "niet getoond" for a number any reader can work out
    promises a secrecy the page does not have; showing it changes nothing a reader can
    derive (the feasible set is the same), so the small counts stay as safe as they were.
    """
    hidden = [n for n, s in status.items() if s == HIDDEN]
    if hidden:
        for name, (lo, hi) in value_range(figures, status, minimum, hidden).items():
            if pinned(lo, hi):
                status[name] = SHOWN
    return status
