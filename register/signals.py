"""The signals: one declaration each, read by the deadline engine, the digest (section, order,
subject line), the generated docs, `controleer` and the Signaal column the tool writes.

Adding a signal is one :class:`Signal` in ``SIGNALS``; ``tests/test_signals.py`` fails when a
declaration lacks anything the others rely on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .figures import past_term
from .policy import anonymisable

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
    escalation_open: npt.NDArray[np.bool_]  # escalated and no Procedure afgerond op
    escalation_ask: npt.NDArray[np.datetime64]  # Datum standpunt + [bewaren] procedure_navragen
    outside: npt.NDArray[np.bool_]  # Standpunt is "buiten de regeling"
    extension_lead: int  # [termijnen] uitstel_melden_werkdagen
    acknowledge_due: npt.NDArray[np.datetime64]
    decision_due: npt.NDArray[np.datetime64]  # extended when validly extended
    decision_due_original: npt.NDArray[np.datetime64]
    retention_expires: npt.NDArray[np.datetime64]
    working_days_to_ack: npt.NDArray[np.float64]  # working days in [today, acknowledge_due)
    working_days_to_decision: npt.NDArray[np.float64]  # working days in [today, decision_due_original)
    urgency: npt.NDArray[np.int64]  # 1 (most urgent) .. 8; 0 when empty
    follow_up: npt.NDArray[np.datetime64]  # Opvolgen op (NaT when empty)
    # Register-level inputs, one element per half-year (scope "register"): every ended
    # half-year that had complaints, oldest first.
    half_year_end: npt.NDArray[np.datetime64]
    half_year_reviewed: npt.NDArray[np.bool_]  # a review covering it was recorded after it ended


#: How a digest line describes a flag.
WORDINGS = ("due", "retention", "urgency", "follow_up", "review", "ask")
SCOPES = ("klacht", "register")


@dataclass(frozen=True)
class Signal:
    """One kind of flag: on a complaint (scope "klacht"), or on the register as a whole (scope
    "register": its condition runs over the half-year arrays of FlagInputs, and its flags are
    reminders without a complaint number)."""

    name: str  # stable code: `controleer --json`, docs
    label: str  # Dutch, in tables and the Signaal column
    section: str  # title of its section in the digest
    explanation: str  # the digest section's first line: what to do
    subject: tuple[str, str]  # subject-line phrase for 1 and for more ('te laat' may be shared)
    mail_order: int  # sections appear in this order in the digest
    when: str  # docs: when the signal is raised
    due: str  # the FlagInputs date array that is its 'uiterlijk'
    condition: Callable[[FlagInputs], npt.NDArray[np.bool_]]
    wording: str = "due"  # one of WORDINGS: how the digest line reads
    order_by: str = "due"  # "due", or a FlagInputs array that orders the section first (ascending)
    scope: str = "klacht"  # one of SCOPES


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
        "nog geen standpunt en de (eventueel geldig verlengde) termijn is verstreken (niet bij een klacht "
        "buiten de regeling: zie buiten_regeling_te_laat)",
        "decision_due",
        lambda f: past_term(f.open_ & ~f.outside, f.decision_due, f.today)),
    Signal(
        "buiten_regeling_te_laat", "bericht buiten de regeling te laat", "Bericht 'buiten de regeling' te laat",
        "Deze klachten vallen buiten de regeling en de klager heeft nog niet gehoord waarom, terwijl de "
        "termijn daarvoor is verstreken (klachten brief … buiten_regeling).",
        ("te laat", "te laat"), 22,
        "Standpunt is 'buiten de regeling', nog geen Datum standpunt en de termijn buiten_regeling is "
        "verstreken (de laatste dag zelf is nog op tijd)",
        "decision_due",
        lambda f: past_term(f.open_ & f.outside, f.decision_due, f.today)),
    Signal(
        "uitstelbericht_nodig", "uitstelbericht nodig", "Uitstelbericht nodig",
        "De standpunttermijn loopt binnenkort af: geef het standpunt, of meld de klager vóór de "
        "einddatum dat en waarom het langer duurt.",
        ("uitstelbericht nodig", "uitstelberichten nodig"), 30,
        "nog geen standpunt, geen uitstel gemeld en de standpunttermijn eindigt binnen "
        "uitstel_melden_werkdagen (standaard 5 werkdagen); niet bij een klacht buiten de regeling",
        "decision_due_original",
        lambda f: (f.open_ & f.no_extension & ~f.outside & (f.today <= f.decision_due_original)
                   & (f.working_days_to_decision <= f.extension_lead))),
    Signal(
        "bewaartermijn_verlopen", "bewaartermijn verlopen (anonimiseren)", "Bewaartermijn verlopen (anonimiseren)",
        "Deze afgehandelde klachten zijn langer bewaard dan nodig: verwijder de persoonsgegevens "
        "(klachten anonimiseer).",
        ("te anonimiseren", "te anonimiseren"), 50,
        "afgehandeld, bewaartermijn voorbij, niet geanonimiseerd, en niet geëscaleerd of de externe "
        "procedure is afgerond (de termijn telt dan vanaf Procedure afgerond op)",
        "retention_expires",
        lambda f: anonymisable(f.closed, f.escalation_open, f.anonymised, f.retention_expires, f.today),
        wording="retention"),
    Signal(
        "procedure_afgerond_navragen", "externe procedure afgerond?", "Externe procedure afgerond?",
        "Deze klachten zijn voorgelegd aan een geschilleninstantie of de rechter. Vraag na of die "
        "procedure is afgerond en vul dan Procedure afgerond op in: pas vanaf die datum loopt de "
        "bewaartermijn.",
        ("procedure navragen", "procedures navragen"), 55,
        "afgehandeld, Geëscaleerd naar ingevuld, Procedure afgerond op leeg en de Datum standpunt ligt "
        "minstens [bewaren] procedure_navragen (standaard 6 maanden) terug",
        "escalation_ask",
        lambda f: f.closed & f.escalation_open & ~f.anonymised & (f.today >= f.escalation_ask),
        wording="ask"),
    Signal(
        "urgentie_hoog", "urgentie 1 t/m 3", "Eerst: urgentie 1 t/m 3",
        "Deze klager heeft een geschilleninstantie of rechter ingeschakeld, een eis gesteld of een "
        "betaling ingehouden: behandel deze klachten eerst, de meest urgente bovenaan.",
        ("met voorrang", "met voorrang"), 5,
        "nog geen standpunt en Urgentie 1, 2 of 3 (geschilleninstantie of rechter, aangetekende brief "
        "of eis, betaling ingehouden); de meest urgente eerst",
        "decision_due",
        lambda f: f.open_ & (f.urgency >= 1) & (f.urgency <= 3),
        wording="urgency", order_by="urgency"),
    Signal(
        "opvolgen", "opvolgen", "Opvolgen",
        "De dag uit Opvolgen op is gekomen: neem deze klachten weer op. Wis of verschuif de datum "
        "daarna; de termijnen van de regeling lopen intussen gewoon door.",
        ("op te volgen", "op te volgen"), 35,
        "de dag in Opvolgen op is gekomen (tot u die datum wist of verschuift; niet bij een "
        "geanonimiseerde klacht)",
        "follow_up",
        lambda f: ~f.anonymised & (f.follow_up <= f.today),
        wording="follow_up"),
    Signal(
        "halfjaaranalyse_nodig", "halfjaaranalyse nodig", "Halfjaarlijkse analyse",
        "Het vorige halfjaar is voorbij en de analyse ervan is nog niet vastgelegd. Maak het "
        "rapport, bespreek oorzaken en maatregelen, en leg de analyse vast.",
        ("halfjaaranalyse nodig", "halfjaaranalyses nodig"), 60,
        "een afgelopen halfjaar had klachten en er is nog geen analyse vastgelegd die het dekt "
        "(`klachten analyse --vastleggen`); elk zo'n halfjaar, ook een eerder gemist; geldt voor het "
        "register, niet voor één klacht",
        "half_year_end",
        lambda f: ~f.half_year_reviewed & (f.today > f.half_year_end),
        wording="review", scope="register"),
)

BY_NAME: dict[str, Signal] = {s.name: s for s in SIGNALS}
#: Signals on complaints (the flags table) and on the register (reminders).
COMPLAINT_SIGNALS: tuple[Signal, ...] = tuple(s for s in SIGNALS if s.scope == "klacht")
REGISTER_SIGNALS: tuple[Signal, ...] = tuple(s for s in SIGNALS if s.scope == "register")
#: The digest's order.
IN_MAIL_ORDER: tuple[Signal, ...] = tuple(sorted(SIGNALS, key=lambda s: s.mail_order))
