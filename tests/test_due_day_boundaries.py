"""Boundary cases for every signal: the due day itself is on time, the next working day is late.

Every expected date below is worked out by hand (the reasoning is in the comments), never by
calling the code under test. Defaults from the config: bevestiging 7 werkdagen, standpunt
2 weken, uitstel_maximaal 4 weken, waarschuwing_werkdagen 2, bewaartermijn 1 jaar.

The warning window counts the working days in [peildatum, due day): on the due day 0 are left,
on the working day before it 1, and so on. With 2 warning days the warning starts when 2
working days are left and not when 3 are left.

Calendar 2026 used below: Mon 2 March; Goede Vrijdag Fri 3 April, Tweede Paasdag Mon 6 April;
Koningsdag Mon 27 April; Bevrijdingsdag Tue 5 May; Hemelvaart Thu 14 May; Tweede Pinksterdag
Mon 25 May; Kerst Fri 25 and Sat 26 December; Nieuwjaarsdag 2027 is a Friday.
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import numpy as np
import pytest

from register import deadlines
from register.calendar import WorkCalendar
from register.check import check_grid, check_register
from register.config import Term
from register.demo import write_xlsx
from register.sources import Grid
from register.writeback import MARKER, anonymise
from tests.conftest import HEADERS, complaint

d = dt.date
BT = "bevestiging_te_laat"
BB = "bevestiging_bijna_te_laat"
ST = "standpunt_te_laat"
UN = "uitstelbericht_nodig"
BV = "bewaartermijn_verlopen"
PN = "procedure_afgerond_navragen"
BR = "buiten_regeling_te_laat"


def check(config, rows, peil):
    return check_grid(Grid([HEADERS] + rows, "test"), config, peil)


def signals_of(config, rows, peil) -> dict[tuple[str, str], str]:
    return {(f["klachtnummer"], f["signaal"]): f["uiterlijk"] for f in check(config, rows, peil).to_json()["signalen"]}


def case(name: str, peil: dt.date, expected: dict[str, str], toml: str = "", **row):
    """One complaint K1 (open and unacknowledged unless ``row`` says otherwise) checked on ``peil``;
    ``expected`` is the complete set of its signals with their due dates."""
    return pytest.param(toml, row, peil, expected, id=name)


def with_notice_lead(toml: str) -> str:
    """The cases below were worked out with the uitstelbericht lead time equal to the warning
    window (as it was before it had its own setting); the lead time's own cases set it."""
    if "uitstel_melden_werkdagen" in toml:
        return toml
    found = re.search(r"waarschuwing_werkdagen = (\d+)", toml)
    line = f"uitstel_melden_werkdagen = {found.group(1) if found else 2}\n"
    return toml.replace("[termijnen]\n", "[termijnen]\n" + line) if "[termijnen]" in toml \
        else toml + "\n[termijnen]\n" + line


def assert_signals(make_config, toml, row, peil, expected):
    config = make_config(with_notice_lead(toml))
    found = signals_of(config, [complaint(complaint_no="K1", **row)], peil)
    assert found == {("K1", signal): due for signal, due in expected.items()}


# -- acknowledgement: bevestiging_te_laat and bevestiging_bijna_te_laat ------------------------
# Received Mon 2 March 2026: working days Tue 3 (1), Wed 4, Thu 5, Fri 6, Mon 9, Tue 10, Wed 11 (7)
# -> acknowledgement due Wed 11 March. Decision: 2 March + 14 days = Mon 16 March.
MARCH = dict(received=d(2026, 3, 2))
# Received Wed 25 March: Thu 26 (1), Fri 27, Mon 30, Tue 31, Wed 1 April (5), Thu 2 (6),
# [Fri 3 Goede Vrijdag, Sat, Sun, Mon 6 Tweede Paasdag], Tue 7 (7) -> due Tue 7 April.
# Decision: 25 March + 14 = Wed 8 April.
EASTER = dict(received=d(2026, 3, 25))
# Received Fri 17 April: Mon 20 (1) .. Fri 24 (5), [Mon 27 Koningsdag], Tue 28 (6), Wed 29 (7)
# -> due Wed 29 April. Decision: 17 April + 14 = Fri 1 May (a working day in the Netherlands).
KINGSDAY = dict(received=d(2026, 4, 17))
# Received Mon 4 May: [Tue 5 Bevrijdingsdag], Wed 6 (1), Thu 7, Fri 8, Mon 11, Tue 12, Wed 13 (6),
# [Thu 14 Hemelvaart], Fri 15 (7) -> due Fri 15 May. Decision: 4 May + 14 = Mon 18 May.
MAY = dict(received=d(2026, 5, 4))
FRIDAY_AFTER_ASCENSION = "[kalender]\nvrijdag_na_hemelvaart = true\n"
# Received Fri 15 May: Mon 18 (1) .. Fri 22 (5), [Mon 25 Tweede Pinksterdag], Tue 26 (6), Wed 27 (7)
# -> due Wed 27 May. Decision: 15 May + 14 = Fri 29 May.
PENTECOST = dict(received=d(2026, 5, 15))
# Received Mon 21 Dec: Tue 22 (1), Wed 23, Thu 24 (3), [Fri 25, Sat 26 Kerst, Sun 27], Mon 28 (4),
# Tue 29, Wed 30, Thu 31 (7) -> due Thu 31 December. Decision: 21 Dec + 14 = Mon 4 Jan 2027
# (Fri 1 January is Nieuwjaarsdag, so after Thu 31 the next working day is Mon 4 January).
CHRISTMAS = dict(received=d(2026, 12, 21))
# Closed Mon 9 .. Fri 13 March: Tue 3 (1) .. Fri 6 (4), Mon 16 (5), Tue 17 (6), Wed 18 (7)
# -> due Wed 18 March; the decision (Mon 16 March, not closed) is unaffected.
SHUTDOWN = "[kalender]\nextra_sluitingsdagen = [\"2026-03-09/2026-03-13\"]\n"

ACKNOWLEDGEMENT_CASES = [
    case("gewone-week-vervaldag-zelf-op-tijd", d(2026, 3, 11), {BB: "2026-03-11"}, **MARCH),
    # Thu 12: late; 2 working days (Thu, Fri) left for the decision of Mon 16 -> extension warning.
    case("gewone-week-volgende-werkdag-te-laat", d(2026, 3, 12), {BT: "2026-03-11", UN: "2026-03-16"}, **MARCH),
    # Fri 6: Fri 6, Mon 9, Tue 10 = 3 working days left -> no warning yet.
    case("waarschuwing-3-werkdagen-ervoor-niet", d(2026, 3, 6), {}, **MARCH),
    # Mon 9: Mon 9, Tue 10 = 2 working days left -> warning.
    case("waarschuwing-2-werkdagen-ervoor-wel", d(2026, 3, 9), {BB: "2026-03-11"}, **MARCH),
    # Sun 8: the weekend does not count; Mon 9 and Tue 10 are left -> warning.
    case("waarschuwing-op-zondag", d(2026, 3, 8), {BB: "2026-03-11"}, **MARCH),
    # Received Sat 7 March: working day 1 is Mon 9; day 7 is Tue 17. Decision: Sat 21 -> Mon 23;
    # on Tue 17 4 working days are left for it, on Wed 18 3 -> no extension warning.
    case("ontvangst-op-zaterdag-vervaldag", d(2026, 3, 17), {BB: "2026-03-17"}, received=d(2026, 3, 7)),
    case("ontvangst-op-zaterdag-dag-erna", d(2026, 3, 18), {BT: "2026-03-17"}, received=d(2026, 3, 7)),
    # Easter: Tue 31 March: Tue 31, Wed 1, Thu 2 = 3 left (decision: 4 left) -> nothing.
    case("pasen-3-werkdagen-ervoor-niet", d(2026, 3, 31), {}, **EASTER),
    # Wed 1 April: Wed 1, Thu 2 = 2 left (Goede Vrijdag and Tweede Paasdag do not count).
    case("pasen-2-werkdagen-ervoor-wel", d(2026, 4, 1), {BB: "2026-04-07"}, **EASTER),
    # On Goede Vrijdag nothing is late; 0 working days left before Tue 7; decision Wed 8: 1 left (Tue 7).
    case("pasen-goede-vrijdag-nog-op-tijd", d(2026, 4, 3), {BB: "2026-04-07", UN: "2026-04-08"}, **EASTER),
    case("pasen-vervaldag-zelf-op-tijd", d(2026, 4, 7), {BB: "2026-04-07", UN: "2026-04-08"}, **EASTER),
    case("pasen-volgende-werkdag-te-laat", d(2026, 4, 8), {BT: "2026-04-07", UN: "2026-04-08"}, **EASTER),
    # Koningsdag: on Wed 29 the decision (Fri 1 May) has Wed 29, Thu 30 = 2 left.
    case("koningsdag-vervaldag-zelf-op-tijd", d(2026, 4, 29), {BB: "2026-04-29", UN: "2026-05-01"}, **KINGSDAY),
    case("koningsdag-volgende-werkdag-te-laat", d(2026, 4, 30), {BT: "2026-04-29", UN: "2026-05-01"}, **KINGSDAY),
    # Fri 24 April: Fri 24, Tue 28 = 2 left (Koningsdag does not count) -> warning; decision: 4 left.
    case("koningsdag-in-waarschuwingsvenster", d(2026, 4, 24), {BB: "2026-04-29"}, **KINGSDAY),
    # Thu 23 April: Thu 23, Fri 24, Tue 28 = 3 left -> nothing.
    case("koningsdag-3-werkdagen-ervoor-niet", d(2026, 4, 23), {}, **KINGSDAY),
    # 5 mei and Hemelvaart: on Fri 15 the decision (Mon 18) has 1 working day left.
    case("5-mei-hemelvaart-vervaldag-zelf", d(2026, 5, 15), {BB: "2026-05-15", UN: "2026-05-18"}, **MAY),
    case("5-mei-hemelvaart-volgende-werkdag", d(2026, 5, 18), {BT: "2026-05-15", UN: "2026-05-18"}, **MAY),
    # With the Friday after Hemelvaart closed, day 7 is Mon 18 May: the same day as the decision.
    case("vrijdag-na-hemelvaart-vervaldag-zelf", d(2026, 5, 18), {BB: "2026-05-18", UN: "2026-05-18"},
         FRIDAY_AFTER_ASCENSION, **MAY),
    case("vrijdag-na-hemelvaart-dag-erna", d(2026, 5, 19), {BT: "2026-05-18", ST: "2026-05-18"},
         FRIDAY_AFTER_ASCENSION, **MAY),
    # Pinksteren: on Wed 27 the decision (Fri 29) has Wed, Thu = 2 left; on Thu 28 1 left.
    case("pinksteren-vervaldag-zelf", d(2026, 5, 27), {BB: "2026-05-27", UN: "2026-05-29"}, **PENTECOST),
    case("pinksteren-volgende-werkdag", d(2026, 5, 28), {BT: "2026-05-27", UN: "2026-05-29"}, **PENTECOST),
    # Kerst: on Thu 31 Dec the decision (Mon 4 Jan) has 1 working day left (Thu 31; Fri 1 is closed).
    case("kerst-vervaldag-zelf-oudejaarsdag", d(2026, 12, 31), {BB: "2026-12-31", UN: "2027-01-04"}, **CHRISTMAS),
    case("kerst-volgende-werkdag-in-nieuw-jaar", d(2027, 1, 4), {BT: "2026-12-31", UN: "2027-01-04"}, **CHRISTMAS),
    # Closed days from the config: on Wed 18 the decision of Mon 16 is already late.
    case("sluitingsdagen-vervaldag-zelf", d(2026, 3, 18), {BB: "2026-03-18", ST: "2026-03-16"}, SHUTDOWN, **MARCH),
    case("sluitingsdagen-volgende-werkdag", d(2026, 3, 19), {BT: "2026-03-18", ST: "2026-03-16"}, SHUTDOWN, **MARCH),
    # Fri 6 March: Fri 6, Mon 16, Tue 17 = 3 left -> no acknowledgement warning; the decision of
    # Mon 16 has only Fri 6 left (Mon 9 .. Fri 13 closed) -> extension warning.
    case("sluitingsdagen-in-venster", d(2026, 3, 6), {UN: "2026-03-16"}, SHUTDOWN, **MARCH),
    # Mon 16 March: Mon 16, Tue 17 = 2 left -> warning; decision due today -> extension warning.
    case("sluitingsdagen-2-werkdagen-ervoor", d(2026, 3, 16), {BB: "2026-03-18", UN: "2026-03-16"}, SHUTDOWN, **MARCH),
    # '5 kalenderdagen': Mon 2 + 5 = Sat 7 March -> Mon 9. Decision Mon 16: 5 and 4 working days left.
    case("kalenderdagen-zaterdag-wordt-maandag", d(2026, 3, 9), {BB: "2026-03-09"},
         "[termijnen]\nbevestiging = \"5 kalenderdagen\"\n", **MARCH),
    case("kalenderdagen-dinsdag-te-laat", d(2026, 3, 10), {BT: "2026-03-09"},
         "[termijnen]\nbevestiging = \"5 kalenderdagen\"\n", **MARCH),
    # '1 week' from Fri 27 March = Fri 3 April (Goede Vrijdag) -> Sat, Sun, Tweede Paasdag -> Tue 7.
    # Decision: 27 March + 14 = Fri 10 April; on Tue 7 3 working days are left, on Wed 8 2.
    case("week-eindigt-op-goede-vrijdag", d(2026, 4, 7), {BB: "2026-04-07"},
         "[termijnen]\nbevestiging = \"1 week\"\n", received=d(2026, 3, 27)),
    case("week-eindigt-op-goede-vrijdag-te-laat", d(2026, 4, 8), {BT: "2026-04-07", UN: "2026-04-10"},
         "[termijnen]\nbevestiging = \"1 week\"\n", received=d(2026, 3, 27)),
    # waarschuwing_werkdagen = 0: only the due day itself warns (Tue 10: 1 left -> nothing).
    case("geen-waarschuwingsdagen-dag-ervoor", d(2026, 3, 10), {},
         "[termijnen]\nwaarschuwing_werkdagen = 0\n", **MARCH),
    case("geen-waarschuwingsdagen-vervaldag", d(2026, 3, 11), {BB: "2026-03-11"},
         "[termijnen]\nwaarschuwing_werkdagen = 0\n", **MARCH),
    # waarschuwing_werkdagen = 5: Wed 4 has Wed 4 .. Tue 10 = 5 left -> warning; Tue 3 has 6 -> not.
    case("vijf-waarschuwingsdagen-rand", d(2026, 3, 4), {BB: "2026-03-11"},
         "[termijnen]\nwaarschuwing_werkdagen = 5\n", **MARCH),
    case("vijf-waarschuwingsdagen-dag-ervoor", d(2026, 3, 3), {},
         "[termijnen]\nwaarschuwing_werkdagen = 5\n", **MARCH),
    # Once acknowledged, no acknowledgement signal, however late.
    case("bevestigd-geen-signaal", d(2026, 3, 12), {UN: "2026-03-16"}, acknowledged=d(2026, 3, 12), **MARCH),
]


@pytest.mark.parametrize(("toml", "row", "peil", "expected"), ACKNOWLEDGEMENT_CASES)
def test_acknowledgement_due_day(make_config, toml, row, peil, expected):
    assert_signals(make_config, toml, row, peil, expected)


# -- decision: standpunt_te_laat and uitstelbericht_nodig (acknowledged, so no ack signals) ----
def acked(received: dt.date, **extra) -> dict:
    return dict(received=received, acknowledged=received, **extra)


DECISION_CASES = [
    # Mon 2 March + 2 weeks = Mon 16 March. Wed 11: Wed, Thu, Fri = 3 left -> nothing.
    case("standpunt-3-werkdagen-ervoor-niet", d(2026, 3, 11), {}, **acked(d(2026, 3, 2))),
    # Thu 12: Thu, Fri = 2 left -> extension warning.
    case("standpunt-2-werkdagen-ervoor-wel", d(2026, 3, 12), {UN: "2026-03-16"}, **acked(d(2026, 3, 2))),
    case("standpunt-vervaldag-zelf-op-tijd", d(2026, 3, 16), {UN: "2026-03-16"}, **acked(d(2026, 3, 2))),
    case("standpunt-volgende-werkdag-te-laat", d(2026, 3, 17), {ST: "2026-03-16"}, **acked(d(2026, 3, 2))),
    # Received Sat 7 March + 2 weeks = Sat 21 March -> Mon 23 March.
    case("weken-eindigen-op-zaterdag-rand", d(2026, 3, 18), {}, **acked(d(2026, 3, 7))),
    case("weken-eindigen-op-zaterdag-venster", d(2026, 3, 19), {UN: "2026-03-23"}, **acked(d(2026, 3, 7))),
    case("weken-eindigen-op-zaterdag-maandag-op-tijd", d(2026, 3, 23), {UN: "2026-03-23"}, **acked(d(2026, 3, 7))),
    case("weken-eindigen-op-zaterdag-dinsdag-te-laat", d(2026, 3, 24), {ST: "2026-03-23"}, **acked(d(2026, 3, 7))),
    # '12 kalenderdagen': Mon 2 + 12 = Sat 14 March -> Mon 16 March.
    case("kalenderdagen-zaterdag-maandag-op-tijd", d(2026, 3, 16), {UN: "2026-03-16"},
         "[termijnen]\nstandpunt = \"12 kalenderdagen\"\n", **acked(d(2026, 3, 2))),
    case("kalenderdagen-zaterdag-dinsdag-te-laat", d(2026, 3, 17), {ST: "2026-03-16"},
         "[termijnen]\nstandpunt = \"12 kalenderdagen\"\n", **acked(d(2026, 3, 2))),
    # Fri 20 March + 2 weeks = Fri 3 April (Goede Vrijdag) -> Tue 7 April (Tweede Paasdag closed).
    case("goede-vrijdag-3-werkdagen-ervoor", d(2026, 3, 31), {}, **acked(d(2026, 3, 20))),
    case("goede-vrijdag-2-werkdagen-ervoor", d(2026, 4, 1), {UN: "2026-04-07"}, **acked(d(2026, 3, 20))),
    case("goede-vrijdag-vervaldag-op-tijd", d(2026, 4, 7), {UN: "2026-04-07"}, **acked(d(2026, 3, 20))),
    case("goede-vrijdag-volgende-werkdag", d(2026, 4, 8), {ST: "2026-04-07"}, **acked(d(2026, 3, 20))),
    # Mon 13 April + 2 weeks = Mon 27 April (Koningsdag) -> Tue 28 April.
    case("koningsdag-3-werkdagen-ervoor", d(2026, 4, 22), {}, **acked(d(2026, 4, 13))),
    case("koningsdag-2-werkdagen-ervoor", d(2026, 4, 23), {UN: "2026-04-28"}, **acked(d(2026, 4, 13))),
    case("koningsdag-vervaldag-op-tijd", d(2026, 4, 28), {UN: "2026-04-28"}, **acked(d(2026, 4, 13))),
    case("koningsdag-volgende-werkdag", d(2026, 4, 29), {ST: "2026-04-28"}, **acked(d(2026, 4, 13))),
    # '10 werkdagen' from Wed 22 April: Thu 23 (1), Fri 24 (2), [Koningsdag], Tue 28 .. Fri 1 May (6),
    # Mon 4 (7), [Bevrijdingsdag], Wed 6 (8), Thu 7 (9), Fri 8 May (10).
    # Mon 4 May: Mon 4, Wed 6, Thu 7 = 3 left; Wed 6: Wed, Thu = 2 left.
    case("werkdagen-5-mei-3-ervoor", d(2026, 5, 4), {}, "[termijnen]\nstandpunt = \"10 werkdagen\"\n",
         **acked(d(2026, 4, 22))),
    case("werkdagen-5-mei-2-ervoor", d(2026, 5, 6), {UN: "2026-05-08"}, "[termijnen]\nstandpunt = \"10 werkdagen\"\n",
         **acked(d(2026, 4, 22))),
    case("werkdagen-5-mei-vervaldag", d(2026, 5, 8), {UN: "2026-05-08"}, "[termijnen]\nstandpunt = \"10 werkdagen\"\n",
         **acked(d(2026, 4, 22))),
    case("werkdagen-5-mei-volgende-werkdag", d(2026, 5, 11), {ST: "2026-05-08"},
         "[termijnen]\nstandpunt = \"10 werkdagen\"\n", **acked(d(2026, 4, 22))),
    # Thu 30 April + 2 weeks = Thu 14 May (Hemelvaart) -> Fri 15 May; with the Friday closed, Mon 18.
    case("hemelvaart-vervaldag", d(2026, 5, 15), {UN: "2026-05-15"}, **acked(d(2026, 4, 30))),
    case("hemelvaart-volgende-werkdag", d(2026, 5, 18), {ST: "2026-05-15"}, **acked(d(2026, 4, 30))),
    case("vrijdag-na-hemelvaart-vervaldag", d(2026, 5, 18), {UN: "2026-05-18"}, FRIDAY_AFTER_ASCENSION,
         **acked(d(2026, 4, 30))),
    case("vrijdag-na-hemelvaart-volgende-werkdag", d(2026, 5, 19), {ST: "2026-05-18"}, FRIDAY_AFTER_ASCENSION,
         **acked(d(2026, 4, 30))),
    # Mon 11 May + 2 weeks = Mon 25 May (Tweede Pinksterdag) -> Tue 26 May.
    case("pinksteren-3-werkdagen-ervoor", d(2026, 5, 20), {}, **acked(d(2026, 5, 11))),
    case("pinksteren-2-werkdagen-ervoor", d(2026, 5, 21), {UN: "2026-05-26"}, **acked(d(2026, 5, 11))),
    case("pinksteren-vervaldag", d(2026, 5, 26), {UN: "2026-05-26"}, **acked(d(2026, 5, 11))),
    case("pinksteren-volgende-werkdag", d(2026, 5, 27), {ST: "2026-05-26"}, **acked(d(2026, 5, 11))),
    # Fri 11 Dec + 2 weeks = Fri 25 Dec (Kerst), Sat 26 (Kerst), Sun 27 -> Mon 28 December.
    case("kerst-3-werkdagen-ervoor", d(2026, 12, 22), {}, **acked(d(2026, 12, 11))),
    case("kerst-2-werkdagen-ervoor", d(2026, 12, 23), {UN: "2026-12-28"}, **acked(d(2026, 12, 11))),
    case("kerst-vervaldag", d(2026, 12, 28), {UN: "2026-12-28"}, **acked(d(2026, 12, 11))),
    case("kerst-volgende-werkdag", d(2026, 12, 29), {ST: "2026-12-28"}, **acked(d(2026, 12, 11))),
    # Fri 18 Dec + 2 weeks = Fri 1 Jan 2027 (Nieuwjaarsdag) -> Mon 4 January 2027.
    # Tue 29 Dec: Tue, Wed, Thu = 3 left; Wed 30 Dec: Wed, Thu = 2 left.
    case("jaarwisseling-3-werkdagen-ervoor", d(2026, 12, 29), {}, **acked(d(2026, 12, 18))),
    case("jaarwisseling-2-werkdagen-ervoor", d(2026, 12, 30), {UN: "2027-01-04"}, **acked(d(2026, 12, 18))),
    case("jaarwisseling-vervaldag", d(2027, 1, 4), {UN: "2027-01-04"}, **acked(d(2026, 12, 18))),
    case("jaarwisseling-volgende-werkdag", d(2027, 1, 5), {ST: "2027-01-04"}, **acked(d(2026, 12, 18))),
    # A closed day from the config: Mon 16 March closed -> Tue 17 March.
    case("sluitingsdag-vervaldag", d(2026, 3, 17), {UN: "2026-03-17"},
         "[kalender]\nextra_sluitingsdagen = [\"2026-03-16\"]\n", **acked(d(2026, 3, 2))),
    case("sluitingsdag-volgende-werkdag", d(2026, 3, 18), {ST: "2026-03-17"},
         "[kalender]\nextra_sluitingsdagen = [\"2026-03-16\"]\n", **acked(d(2026, 3, 2))),
    # waarschuwing_werkdagen = 0: Fri 13 (1 left) nothing, Mon 16 warns.
    case("geen-waarschuwingsdagen-dag-ervoor", d(2026, 3, 13), {}, "[termijnen]\nwaarschuwing_werkdagen = 0\n",
         **acked(d(2026, 3, 2))),
    case("geen-waarschuwingsdagen-vervaldag", d(2026, 3, 16), {UN: "2026-03-16"},
         "[termijnen]\nwaarschuwing_werkdagen = 0\n", **acked(d(2026, 3, 2))),
    # Not open: a Datum standpunt (even with the status still open), or status afgehandeld.
    case("standpunt-gegeven-status-open", d(2026, 3, 17), {}, **acked(d(2026, 3, 2), decided=d(2026, 3, 16))),
    case("afgehandeld-zonder-datum", d(2026, 3, 17), {}, status="afgehandeld", outcome="gegrond", **MARCH),
    case("nieuw-telt-als-open", d(2026, 3, 17), {ST: "2026-03-16"}, status="nieuw", **acked(d(2026, 3, 2))),
]


@pytest.mark.parametrize(("toml", "row", "peil", "expected"), DECISION_CASES)
def test_decision_due_day(make_config, toml, row, peil, expected):
    assert_signals(make_config, toml, row, peil, expected)


# -- extensions ---------------------------------------------------------------------------------
# Received Mon 2 March: decision due Mon 16 March; maximum extension 4 weeks: 16 March + 28 days
# = Mon 13 April (a working day; Tweede Paasdag was 6 April).
def extended(sent=None, until=None, **extra) -> dict:
    return acked(d(2026, 3, 2), extension_sent=sent, extended_until=until, **extra)


EXTENSION_CASES = [
    # Announced on the original due day itself: valid, the decision moves to Wed 1 April.
    case("uitstel-op-vervaldag-telt", d(2026, 3, 17), {}, **extended(d(2026, 3, 16), d(2026, 4, 1))),
    case("uitstel-verlengde-vervaldag-op-tijd", d(2026, 4, 1), {}, **extended(d(2026, 3, 16), d(2026, 4, 1))),
    case("uitstel-verlengde-vervaldag-dag-erna", d(2026, 4, 2), {ST: "2026-04-01"},
         **extended(d(2026, 3, 16), d(2026, 4, 1))),
    # Announced the day after: does not count, the original date stays.
    case("uitstel-dag-te-laat-telt-niet", d(2026, 3, 17), {ST: "2026-03-16"},
         **extended(d(2026, 3, 17), d(2026, 4, 1))),
    # Verlengd tot exactly at the limit counts ...
    case("verlengd-tot-op-de-grens", d(2026, 4, 13), {}, **extended(d(2026, 3, 10), d(2026, 4, 13))),
    case("verlengd-tot-op-de-grens-dag-erna", d(2026, 4, 14), {ST: "2026-04-13"},
         **extended(d(2026, 3, 10), d(2026, 4, 13))),
    # ... one day later does not.
    case("verlengd-tot-dag-over-de-grens", d(2026, 3, 17), {ST: "2026-03-16"},
         **extended(d(2026, 3, 10), d(2026, 4, 14))),
    # A Verlengd tot before the original date never shortens the term.
    case("verlengd-tot-korter-dan-termijn", d(2026, 3, 16), {}, **extended(d(2026, 3, 10), d(2026, 3, 13))),
    case("verlengd-tot-korter-dag-erna", d(2026, 3, 17), {ST: "2026-03-16"},
         **extended(d(2026, 3, 10), d(2026, 3, 13))),
    # Verlengd tot without Datum uitstelbericht: nothing was announced, so still warn (Thu 12: 2 left).
    case("verlengd-tot-zonder-bericht-waarschuwt", d(2026, 3, 12), {UN: "2026-03-16"},
         **extended(None, d(2026, 4, 1))),
    case("verlengd-tot-zonder-bericht-te-laat", d(2026, 3, 17), {ST: "2026-03-16"}, **extended(None, d(2026, 4, 1))),
    # Datum uitstelbericht without Verlengd tot: the message went out (no warning), but it extends nothing.
    case("bericht-zonder-verlengd-tot-geen-waarschuwing", d(2026, 3, 12), {}, **extended(d(2026, 3, 11))),
    case("bericht-zonder-verlengd-tot-te-laat", d(2026, 3, 17), {ST: "2026-03-16"}, **extended(d(2026, 3, 11))),
    # uitstel_maximaal '10 werkdagen' from Mon 16 March: Tue 17 (1) .. Fri 20 (4), Mon 23 .. Fri 27 (9),
    # Mon 30 March (10). Mon 30 counts, Tue 31 does not.
    case("grens-in-werkdagen-telt", d(2026, 3, 31), {ST: "2026-03-30"}, "[termijnen]\nuitstel_maximaal = \"10 werkdagen\"\n",
         **extended(d(2026, 3, 16), d(2026, 3, 30))),
    case("grens-in-werkdagen-dag-erna", d(2026, 3, 17), {ST: "2026-03-16"},
         "[termijnen]\nuitstel_maximaal = \"10 werkdagen\"\n", **extended(d(2026, 3, 16), d(2026, 3, 31))),
    # uitstel_maximaal '3 weken': 16 March + 21 = Mon 6 April (Tweede Paasdag) -> Tue 7 April.
    case("grens-op-tweede-paasdag-telt", d(2026, 4, 8), {ST: "2026-04-07"}, "[termijnen]\nuitstel_maximaal = \"3 weken\"\n",
         **extended(d(2026, 3, 16), d(2026, 4, 7))),
    case("grens-op-tweede-paasdag-dag-erna", d(2026, 3, 17), {ST: "2026-03-16"},
         "[termijnen]\nuitstel_maximaal = \"3 weken\"\n", **extended(d(2026, 3, 16), d(2026, 4, 8))),
]


@pytest.mark.parametrize(("toml", "row", "peil", "expected"), EXTENSION_CASES)
def test_extension_due_day(make_config, toml, row, peil, expected):
    assert_signals(make_config, toml, row, peil, expected)


@pytest.mark.parametrize(("sent", "until", "expected"), [
    # (has_extension, in_time, within_limit, valid); original Mon 16 March, limit Mon 13 April.
    (d(2026, 3, 16), d(2026, 4, 13), (True, True, True, True)),
    (d(2026, 3, 17), d(2026, 4, 13), (True, False, True, False)),
    (d(2026, 3, 16), d(2026, 4, 14), (True, True, False, False)),
    (d(2026, 3, 16), None, (False, False, False, False)),
    (None, d(2026, 4, 1), (False, False, False, False)),
])
def test_extension_columns(config, sent, until, expected):
    result = check(config, [complaint(complaint_no="K1", **extended(sent, until))], d(2026, 3, 12))
    row = result.deadlines.iloc[0]
    assert (row["has_extension"], row["extension_in_time"], row["extension_within_limit"],
            row["extension_valid"]) == expected
    assert str(row["decision_due_original"])[:10] == "2026-03-16"
    assert str(row["extension_limit"])[:10] == "2026-04-13"


# -- retention: bewaartermijn_verlopen ----------------------------------------------------------
def closed(received: dt.date, decided: dt.date, **extra) -> dict:
    return dict(received=received, acknowledged=received, decided=decided, status="afgehandeld",
                outcome="gegrond", **extra)


ONE_MONTH = "[bewaren]\ntermijn = \"1 maand\"\nkorter_toestaan = true\n[nachtrun]\nbackups_bewaren = 7\n"
RETENTION_CASES = [
    # Tue 10 March 2025 + 1 year = Tue 10 March 2026: from that day on.
    case("een-jaar-dag-ervoor", d(2026, 3, 9), {}, **closed(d(2025, 3, 3), d(2025, 3, 10))),
    case("een-jaar-precies", d(2026, 3, 10), {BV: "2026-03-10"}, **closed(d(2025, 3, 3), d(2025, 3, 10))),
    case("een-jaar-later-nog-steeds", d(2027, 6, 1), {BV: "2026-03-10"}, **closed(d(2025, 3, 3), d(2025, 3, 10))),
    # 31 January 2026 + 1 month = "31 February" -> overflows to 3 March (February 2026 has 28 days).
    case("31-januari-plus-maand-dag-ervoor", d(2026, 3, 2), {}, ONE_MONTH, **closed(d(2026, 1, 26), d(2026, 1, 31))),
    case("31-januari-plus-maand-is-3-maart", d(2026, 3, 3), {BV: "2026-03-03"}, ONE_MONTH,
         **closed(d(2026, 1, 26), d(2026, 1, 31))),
    # 29 February 2024 + 1 year = "29 February 2025" -> 1 March 2025.
    case("schrikkeldag-dag-ervoor", d(2025, 2, 28), {}, **closed(d(2024, 2, 19), d(2024, 2, 29))),
    case("schrikkeldag-plus-jaar-is-1-maart", d(2025, 3, 1), {BV: "2025-03-01"}, **closed(d(2024, 2, 19), d(2024, 2, 29))),
    # '18 maanden' from 31 August 2024 = "31 February 2026" -> 3 March 2026.
    case("18-maanden-overloop", d(2026, 3, 3), {BV: "2026-03-03"}, "[bewaren]\ntermijn = \"18 maanden\"\n",
         **closed(d(2024, 8, 26), d(2024, 8, 31))),
    case("18-maanden-dag-ervoor", d(2026, 3, 2), {}, "[bewaren]\ntermijn = \"18 maanden\"\n",
         **closed(d(2024, 8, 26), d(2024, 8, 31))),
    # Not a term under the Algemene termijnenwet: Fri 13 March 2026 + 1 year = Sat 13 March 2027 stays.
    case("bewaartermijn-zaterdag-schuift-niet", d(2027, 3, 13), {BV: "2027-03-13"},
         **closed(d(2026, 3, 2), d(2026, 3, 13))),
    # Escalated and the procedure's end not recorded: never expires; from Datum standpunt + 6 months
    # (Wed 10 September 2025) the end date is asked for.
    case("geescaleerd-nooit", d(2030, 1, 1), {PN: "2025-09-10"},
         **closed(d(2025, 3, 3), d(2025, 3, 10), escalated_to="rechter")),
    case("geescaleerd-navragen-dag-ervoor", d(2025, 9, 9), {},
         **closed(d(2025, 3, 3), d(2025, 3, 10), escalated_to="rechter")),
    case("geescaleerd-navragen-vanaf-zes-maanden", d(2025, 9, 10), {PN: "2025-09-10"},
         **closed(d(2025, 3, 3), d(2025, 3, 10), escalated_to="rechter")),
    # The procedure ended Tue 2 June 2025: retention counts from there (2 June 2026), no more asking.
    case("procedure-afgerond-dag-ervoor", d(2026, 6, 1), {},
         **closed(d(2025, 3, 3), d(2025, 3, 10), escalated_to="rechter", escalation_ended=d(2025, 6, 2))),
    case("procedure-afgerond-plus-jaar", d(2026, 6, 2), {BV: "2026-06-02"},
         **closed(d(2025, 3, 3), d(2025, 3, 10), escalated_to="rechter", escalation_ended=d(2025, 6, 2))),
    # An end date before Datum standpunt does not shorten anything: from 10 March 2025.
    case("procedure-afgerond-voor-standpunt", d(2026, 3, 10), {BV: "2026-03-10"},
         **closed(d(2025, 3, 3), d(2025, 3, 10), escalated_to="rechter", escalation_ended=d(2025, 3, 5))),
    # Closed without Datum standpunt: no expiry at all until the date is filled in.
    case("afgehandeld-zonder-datum-nooit", d(2030, 1, 1), {},
         received=d(2025, 3, 3), acknowledged=d(2025, 3, 3), extended_until=d(2025, 3, 20),
         status="afgehandeld", outcome="gegrond"),
    case("geanonimiseerd-nooit", d(2030, 1, 1), {}, **closed(d(2025, 3, 3), d(2025, 3, 10), anonymised=d(2026, 3, 10))),
    # Only closed complaints expire; a Datum standpunt with an open status starts nothing.
    case("datum-standpunt-maar-open", d(2030, 1, 1), {}, **acked(d(2025, 3, 3), decided=d(2025, 3, 10))),
]


@pytest.mark.parametrize(("toml", "row", "peil", "expected"), RETENTION_CASES)
def test_retention_due_day(make_config, toml, row, peil, expected):
    assert_signals(make_config, toml, row, peil, expected)


def test_retention_column_is_only_set_for_closed_complaints(config):
    rows = [complaint(complaint_no="K1", **closed(d(2025, 1, 27), d(2025, 1, 31))),
            complaint(complaint_no="K2", **acked(d(2025, 1, 27), decided=d(2025, 1, 31)))]
    expires = check(config, rows, d(2025, 2, 3)).deadlines["retention_expires"]
    assert str(expires[0])[:10] == "2026-01-31"
    assert expires.isna()[1]


@pytest.mark.parametrize(("day", "months", "expected"), [
    ("2025-01-31", 1, "2025-03-03"),  # February 2025: 28 days, 3 days overflow
    ("2024-01-31", 1, "2024-03-02"),  # February 2024: 29 days, 2 days overflow
    ("2024-02-29", 12, "2025-03-01"),
    ("2025-03-10", 12, "2026-03-10"),
    ("2025-12-15", 1, "2026-01-15"),  # across the year end
    ("2025-06-01", 18, "2026-12-01"),
    ("NaT", 12, "NaT"),
])
def test_add_months_overflows_forward(day, months, expected):
    out = deadlines.add_months(np.array([day], dtype="datetime64[D]"), months)
    assert str(out[0]) == expected


def test_add_months_returns_days_whatever_the_input_unit():
    # A pandas date column arrives as datetime64[ns]; the result is still in days.
    out = deadlines.add_months(np.array(["2025-01-31T00:00:00"], dtype="datetime64[ns]"), 1)
    assert out.dtype == np.dtype("datetime64[D]") and str(out[0]) == "2025-03-03"


# -- several complaints: order, days late, handler ---------------------------------------------
def test_flags_are_ordered_by_signal_then_due_date_then_number(config):
    peil = d(2026, 3, 17)
    rows = [
        # Mon 2 March + 2 weeks = Mon 16 March: 1 day late.
        complaint(complaint_no="K3", handler="C", **acked(d(2026, 3, 2))),
        # Mon 9 March: ack day 7 = Wed 18 March (1 working day left); decision Mon 23 (4 left).
        complaint(complaint_no="K5", handler="E", received=d(2026, 3, 9)),
        # Fri 27 Feb + 2 weeks = Fri 13 March: 4 days late.
        complaint(complaint_no="K1", handler="A", **acked(d(2026, 2, 27))),
        # Fri 6 March: ack Mon 9 (1) .. Fri 13 (5), Mon 16, Tue 17 (7): due today; decision Fri 20 (3 left).
        complaint(complaint_no="K4", handler="D", received=d(2026, 3, 6)),
        complaint(complaint_no="K2", handler="B", **acked(d(2026, 3, 2))),
        # Wed 4 March + 2 weeks = Wed 18 March: 1 working day left -> extension warning, 1 day to go.
        complaint(complaint_no="K6", handler="F", **acked(d(2026, 3, 4))),
        # Closed Sat 14 March 2025 + 1 year = Sat 14 March 2026: expired 3 days ago.
        complaint(complaint_no="K7", handler="G", **closed(d(2025, 3, 10), d(2025, 3, 14))),
    ]
    flags = check(config, rows, peil).flags
    assert list(flags.columns) == ["row", "klachtnummer", "signaal", "uiterlijk", "dagen_te_laat", "behandelaar"]
    assert [tuple(r) for r in flags.astype({"uiterlijk": str}).itertuples(index=False)] == [
        (3, "K4", BB, "2026-03-17", 0, "D"),
        (1, "K5", BB, "2026-03-18", -1, "E"),
        (2, "K1", ST, "2026-03-13", 4, "A"),
        (4, "K2", ST, "2026-03-16", 1, "B"),
        (0, "K3", ST, "2026-03-16", 1, "C"),
        # The default notice lead time is 5 working days: K4 (3 left) and K5 (4 left) too.
        (5, "K6", UN, "2026-03-18", -1, "F"),
        (3, "K4", UN, "2026-03-20", -3, "D"),
        (1, "K5", UN, "2026-03-23", -6, "E"),
        (6, "K7", BV, "2026-03-14", 3, "G"),
    ]
    assert flags["dagen_te_laat"].dtype == np.int64
    assert list(flags.index) == list(range(9))


# -- the uitstelbericht's own lead time (default 5 working days) -------------------------------
@pytest.mark.parametrize(("peil", "expected"), [
    # Decision due Mon 16 March 2026. Fri 6 March: 6 working days left (6, 9 .. 13) -> nothing.
    (d(2026, 3, 6), {}),
    # Mon 9 March: 5 left (9 .. 13) -> the notice is asked for, well before the deadline.
    (d(2026, 3, 9), {UN: "2026-03-16"}),
    # The due day itself still asks (a notice then is late, and says so); the day after it is late.
    (d(2026, 3, 16), {UN: "2026-03-16"}),
    (d(2026, 3, 17), {ST: "2026-03-16"}),
])
def test_notice_lead_time_default(config, peil, expected):
    found = signals_of(config, [complaint(complaint_no="K1", **acked(d(2026, 3, 2)))], peil)
    assert found == {("K1", signal): due for signal, due in expected.items()}


# -- a complaint outside the regeling: 7 working days, its own signal --------------------------
@pytest.mark.parametrize(("peil", "expected"), [
    # Received Mon 2 March 2026: day 7 is Wed 11 March; that day is in time, Thu 12 is late.
    (d(2026, 3, 11), {}),
    (d(2026, 3, 12), {BR: "2026-03-11"}),
    # Never standpunt_te_laat or uitstelbericht_nodig, also after the ordinary term.
    (d(2026, 3, 20), {BR: "2026-03-11"}),
])
def test_outside_the_regeling_has_its_own_term(config, peil, expected):
    row = acked(d(2026, 3, 2), outcome="buiten de regeling")
    found = signals_of(config, [complaint(complaint_no="K1", **row)], peil)
    assert found == {("K1", signal): due for signal, due in expected.items()}


def test_outside_term_comes_from_the_config(make_config):
    config = make_config("[termijnen]\nbuiten_regeling = \"3 werkdagen\"\n")
    row = acked(d(2026, 3, 2), outcome="buiten de regeling")
    # Mon 2 March + 3 working days = Thu 5 March.
    assert signals_of(config, [complaint(complaint_no="K1", **row)], d(2026, 3, 5)) == {}
    assert signals_of(config, [complaint(complaint_no="K1", **row)], d(2026, 3, 6)) == {("K1", BR): "2026-03-05"}


def test_no_flags_is_an_empty_frame_with_the_same_columns(config):
    result = check(config, [complaint(complaint_no="K1", **acked(d(2026, 3, 2)))], d(2026, 3, 3))
    flags = result.flags
    assert len(flags) == 0
    assert list(flags.columns) == ["row", "klachtnummer", "signaal", "uiterlijk", "dagen_te_laat", "behandelaar"]
    assert flags["uiterlijk"].dtype.kind == "M" and flags["row"].dtype == np.int64
    assert flags["dagen_te_laat"].dtype == np.int64
    assert result.to_json()["signalen"] == []


def test_a_row_without_receipt_date_raises_no_flags_and_leaves_others_alone(config):
    rows = [complaint(complaint_no="K1", received=None), complaint(complaint_no="K2", received=d(2026, 3, 2))]
    assert signals_of(config, rows, d(2026, 3, 12)) == {("K2", BT): "2026-03-11", ("K2", UN): "2026-03-16"}


def test_the_calendar_covers_next_year_for_terms_crossing_the_year_end(config):
    # Thu 24 Dec 2026: [Fri 25, Sat 26 Kerst], Mon 28 (1), Tue 29, Wed 30, Thu 31 (4),
    # [Fri 1 Jan 2027 Nieuwjaarsdag], Mon 4 (5), Tue 5 (6), Wed 6 January (7).
    # All dates in the register and the peildatum lie in 2026; the term still skips 1 January 2027.
    result = check(config, [complaint(complaint_no="K1", received=d(2026, 12, 24))], d(2026, 12, 28))
    assert str(result.deadlines["acknowledge_due"][0])[:10] == "2027-01-06"
    # 24 Dec + 2 weeks = Thu 7 Jan; + 4 weeks = Thu 4 February 2027.
    assert str(result.deadlines["extension_limit"][0])[:10] == "2027-02-04"


def test_calendar_for_dates_spans_a_year_before_and_two_after(config):
    cal = WorkCalendar.for_dates(config, np.array(["2026-03-02", "NaT"], dtype="datetime64[D]"),
                                 np.array([], dtype="datetime64[D]"))
    assert {day.year for day in cal.closed} == {2025, 2026, 2027, 2028}
    cal = WorkCalendar.for_dates(config, np.array(["2024-12-30", "2026-01-02"], dtype="datetime64[D]"),
                                 peildatum=d(2026, 1, 5))
    assert {day.year for day in cal.closed} == {2023, 2024, 2025, 2026, 2027, 2028}
    empty = WorkCalendar.for_dates(config, np.array([], dtype="datetime64[D]"))
    this_year = dt.date.today().year  # noqa: DTZ011 - mirrors the fallback for an empty register
    assert d(this_year, 1, 1) in empty.closed


def test_closed_day_names(make_config):
    cfg = make_config("[kalender]\nvrijdag_na_hemelvaart = true\n"
                      "extra_sluitingsdagen = [\"2026-03-16\", \"2026-04-27\"]\n")
    cal = WorkCalendar.from_config(cfg, [2026])
    assert cal.closed[d(2026, 5, 14)] == "Hemelvaartsdag"
    assert cal.closed[d(2026, 5, 15)] == "Vrijdag na Hemelvaart (sluitingsdag)"
    assert cal.closed[d(2026, 3, 16)] == "Sluitingsdag"
    assert cal.closed[d(2026, 4, 27)] == "Koningsdag"  # a holiday keeps its own name
    assert d(2026, 5, 16) not in cal.closed
    assert list(cal.closed) == sorted(cal.closed)


def test_working_days_between_counts_start_not_end(config):
    cal = WorkCalendar.from_config(config, [2026])
    start = np.array(["2026-04-01", "2026-04-07", "2026-04-08", "NaT"], dtype="datetime64[D]")
    end = np.array(["2026-04-07", "2026-04-07", "2026-04-07", "2026-04-07"], dtype="datetime64[D]")
    # Wed 1 .. Tue 7 April: Wed 1, Thu 2 (Goede Vrijdag and Tweede Paasdag closed) = 2; same day 0;
    # one day after: -1; NaT: NaN.
    out = cal.working_days_between(start, end)
    assert list(out[:3]) == [2.0, 0.0, -1.0] and np.isnan(out[3])


def test_term_arithmetic_accepts_plain_dates(config):
    cal = WorkCalendar.from_config(config, [2026])
    # Wed 1 April + 7 working days = Tue 14 April (see the Easter cases above).
    assert str(cal.add_term([d(2026, 4, 1)], Term(7, "werkdagen"))[0]) == "2026-04-14"
    assert list(cal.working_days_between([d(2026, 4, 1)], [d(2026, 4, 7)])) == [2.0]


def test_today_amsterdam_ignores_the_machine_time_zone(monkeypatch):
    moment = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)  # already 2 March, 00:30 in Amsterdam

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)

    monkeypatch.setattr(deadlines, "dt", SimpleNamespace(datetime=Clock, date=dt.date))
    assert deadlines.today_amsterdam() == d(2026, 3, 2)


# -- validate: a date equal to the peildatum is fine, the day after is in the future -------------
@pytest.mark.parametrize(("key", "header"), [
    ("received", "Datum ontvangst"),
    ("acknowledged", "Datum bevestiging"),
    ("extension_sent", "Datum uitstelbericht"),
    ("decided", "Datum standpunt"),
    ("anonymised", "Geanonimiseerd op"),
])
@pytest.mark.parametrize(("day", "expected"), [
    (d(2026, 11, 21), None),
    (d(2026, 11, 22), "{header} 22 november 2026 ligt in de toekomst"),
])
def test_future_date_boundary(config, key, header, day, expected):
    row = {"received": d(2026, 11, 2), key: day}
    result = check(config, [complaint(complaint_no="K1", **row)], d(2026, 11, 21))
    future = [(f.ernst, f.melding) for f in result.findings if "toekomst" in f.melding]
    assert future == ([] if expected is None else [("fout", expected.format(header=header))])


# -- anonymise: the guard re-reads the register right before writing ------------------------------
EXPIRED = dict(received=d(2025, 3, 3), acknowledged=d(2025, 3, 4), decided=d(2025, 3, 10), status="afgehandeld",
               outcome="gegrond")


@pytest.mark.parametrize(("change", "reason"), [
    (dict(escalated_to="geschillencommissie"), "is geëscaleerd"),
    (dict(status="in behandeling"), "is niet meer afgehandeld"),
    (dict(anonymised=d(2026, 11, 20)), "is al geanonimiseerd"),
])
def test_anonymise_skips_a_complaint_changed_between_check_and_write(make_config, tmp_path, change, reason):
    peil = d(2026, 11, 21)
    cfg = make_config(rows=[complaint(complaint_no="K1", **EXPIRED), complaint(complaint_no="K2", **EXPIRED)])
    result = check_register(cfg, peil)
    assert sorted(result.flags["klachtnummer"]) == ["K1", "K2"]
    # Meanwhile the owner changes K1 in the register.
    write_xlsx(tmp_path / "register.xlsx", [HEADERS, complaint(complaint_no="K1", **{**EXPIRED, **change}),
                                            complaint(complaint_no="K2", **EXPIRED)])
    report, _ = anonymise(cfg, result, peil)
    assert report.updated == ["K2"]
    assert report.skipped == [f"K1 {reason}"]
    after = check_register(cfg, peil).register
    names = dict(zip(after.frame["complaint_no"], after.text("name"), strict=True))
    assert names == {"K1": "Piet Proef", "K2": MARKER}
