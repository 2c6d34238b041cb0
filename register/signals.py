"""The signals: one declaration each, read by the deadline engine, the digest (section, order,
subject line), the generated docs, `controleer` and the Signaal column the tool writes.

Adding a signal is one :class:`Signal` in ``SIGNALS``; ``tests/test_signals.py`` fails when a
declaration lacks anything the others rely on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True)
class FlagInputs:
    """Everything a signal's condition may look at, one array element per complaint."""

    today: np.datetime64
    warn: int  # [termijnen] waarschuwing_werkdagen
    open_: npt.NDArray[np.bool_]  # received, not closed, no Datum standpunt
    not_acknowledged: npt.NDArray[np.bool_]  # open and no Datum bevestiging
    no_extension: npt.NDArray[np.bool_]  # no extension announced at all
    closed: npt.NDArray[np.bool_]
    anonymised: npt.NDArray[np.bool_]
    escalated: npt.NDArray[np.bool_]
    acknowledge_due: npt.NDArray[np.datetime64]
    decision_due: npt.NDArray[np.datetime64]  # extended when validly extended
    decision_due_original: npt.NDArray[np.datetime64]
    retention_expires: npt.NDArray[np.datetime64]
    working_days_to_ack: npt.NDArray[np.float64]  # working days in [today, acknowledge_due)
    working_days_to_decision: npt.NDArray[np.float64]  # working days in [today, decision_due_original)


@dataclass(frozen=True)
class Signal:
    """One kind of flag on a complaint."""

    name: str  # stable code: `controleer --json`, docs
    label: str  # Dutch, in tables and the Signaal column
    section: str  # title of its section in the digest
    explanation: str  # the digest section's first line: what to do
    subject: tuple[str, str]  # subject-line phrase for 1 and for more ('te laat' may be shared)
    mail_order: int  # sections appear in this order in the digest
    when: str  # docs: when the signal is raised
    due: str  # the FlagInputs date array that is its 'uiterlijk'
    condition: Callable[[FlagInputs], npt.NDArray[np.bool_]]
    retention: bool = False  # the digest line says since when retention expired, not days late


SIGNALS: tuple[Signal, ...] = (
    Signal(
        "bevestiging_te_laat", "ontvangstbevestiging te laat", "Ontvangstbevestiging te laat",
        "De klager heeft nog geen ontvangstbevestiging gekregen en de termijn is verstreken.",
        ("te laat", "te laat"), 10,
        "geen Datum bevestiging en de bevestigingstermijn is verstreken (de laatste dag zelf is nog op tijd)",
        "acknowledge_due",
        lambda f: f.not_acknowledged & (f.today > f.acknowledge_due)),
    Signal(
        "bevestiging_bijna_te_laat", "ontvangstbevestiging binnenkort te laat",
        "Ontvangstbevestiging binnenkort te laat", "Stuur de ontvangstbevestiging vóór de einddatum.",
        ("bevestiging binnenkort", "bevestigingen binnenkort"), 40,
        "geen Datum bevestiging en de termijn eindigt binnen de waarschuwingstermijn",
        "acknowledge_due",
        lambda f: f.not_acknowledged & (f.today <= f.acknowledge_due) & (f.working_days_to_ack <= f.warn)),
    Signal(
        "standpunt_te_laat", "standpunt te laat", "Standpunt te laat",
        "De termijn voor het standpunt is verstreken en er is nog geen standpunt meegedeeld.",
        ("te laat", "te laat"), 20,
        "nog geen standpunt en de (eventueel geldig verlengde) termijn is verstreken",
        "decision_due",
        lambda f: f.open_ & (f.today > f.decision_due)),
    Signal(
        "uitstelbericht_nodig", "uitstelbericht nodig", "Uitstelbericht nodig",
        "De standpunttermijn loopt binnenkort af: geef het standpunt, of meld de klager vóór de "
        "einddatum dat en waarom het langer duurt.",
        ("uitstelbericht nodig", "uitstelberichten nodig"), 30,
        "nog geen standpunt, geen uitstel gemeld en de termijn eindigt binnen de waarschuwingstermijn",
        "decision_due_original",
        lambda f: (f.open_ & f.no_extension & (f.today <= f.decision_due_original)
                   & (f.working_days_to_decision <= f.warn))),
    Signal(
        "bewaartermijn_verlopen", "bewaartermijn verlopen (anonimiseren)", "Bewaartermijn verlopen (anonimiseren)",
        "Deze afgehandelde klachten zijn langer bewaard dan nodig: verwijder de persoonsgegevens "
        "(klachten anonimiseer).",
        ("te anonimiseren", "te anonimiseren"), 50,
        "afgehandeld, bewaartermijn voorbij, niet geanonimiseerd en niet geëscaleerd",
        "retention_expires",
        lambda f: f.closed & (f.today >= f.retention_expires) & ~f.anonymised & ~f.escalated,
        retention=True),
)

BY_NAME: dict[str, Signal] = {s.name: s for s in SIGNALS}
#: The digest's order.
IN_MAIL_ORDER: tuple[Signal, ...] = tuple(sorted(SIGNALS, key=lambda s: s.mail_order))
