"""The demo register: about 60 clearly fictitious complaints over three years.

Deterministic (fixed seed and anchor date), so the shipped file can be regenerated exactly:
``python -m register.demo data/demo-register.xlsx``. It contains overdue complaints, valid
and late extensions, rows past retention, anonymised rows, and a few typical slips of the
'waarschuwing' kind. :func:`synthetic_grid` builds large registers for benchmarks and tests.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path
from typing import Any

from .parse import SERIAL_EPOCH, to_serial
from .policy import PERSONAL_KEYS
from .schema import COLUMNS, MARKER, METHODS

ANCHOR = dt.date(2026, 11, 20)
HEADERS = [c.header for c in COLUMNS] + ["Notities (eigen kolom)"]

FIRST = ["Anna", "Bram", "Carla", "Dirk", "Eva", "Frank", "Gerda", "Hans", "Ilse", "Joost", "Karin",
         "Lucas", "Marieke", "Niels", "Olga", "Pieter", "Ria", "Sander", "Tamara", "Vincent"]
LAST = ["Voorbeeld", "Proefmans", "Testema", "Fictief", "Demovic", "Verzinsel", "Nepstra", "Schijnsma"]
STREETS = ["Proefstraat", "Voorbeeldlaan", "Testweg", "Demoplein", "Fictieve Gracht"]
TOWNS = ["Voorbeeldstad", "Proefdorp", "Testerveen", "Demohaven"]
HANDLERS = ["M. de Wit", "R. Bakker", "S. Jansen"]
COMPLAINTS = {
    "product": ["Airco maakt sinds de installatie een tikkend geluid.",
                "Warmtepomp valt bij vorst steeds uit.",
                "Thermostaat reageert traag en geeft verkeerde temperatuur aan."],
    "dienstverlening": ["Monteur kwam niet op de afgesproken dag en belde niet af.",
                        "Onderhoudsbeurt niet volledig uitgevoerd volgens de checklist.",
                        "Storing na de eerste melding niet opgelost, opnieuw uitgevallen."],
    "factuur": ["Voorrijkosten in rekening gebracht terwijl die in de offerte waren inbegrepen.",
                "Factuur bevat meer uren dan de monteur aanwezig was.",
                "Betaling twee keer afgeschreven."],
    "gedrag medewerker": ["Medewerker aan de telefoon was kortaf en onvriendelijk.",
                          "Monteur liet afval en verpakkingsmateriaal achter."],
    "levering": ["Binnenunit geleverd met krassen op de behuizing.",
                 "Levering drie weken later dan toegezegd."],
}
CAUSES = ["gebrek aan informatie", "kwaliteit", "gebruikskosten", "dienstverlening", "anders"]
MEASURES = ["Planning stuurt voortaan een sms de dag vóór het bezoek.",
            "Checklist onderhoud aangepast en met monteurs besproken.",
            "Offertesjabloon vermeldt voorrijkosten nu expliciet.",
            "Extra controle bij levering van binnenunits.", ""]


def _row(values: dict[str, Any]) -> list[Any]:
    by_header = {c.header: values.get(c.key) for c in COLUMNS}
    by_header["Notities (eigen kolom)"] = values.get("note")
    return [by_header[h] for h in HEADERS]


#: The compensation amounts the demo's compensation texts stand for.
AMOUNTS: dict[str, Any] = {"Waardebon € 50": 50, "Voorrijkosten gecrediteerd": "75,00"}


def _person(rng: random.Random, n: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return {
        "name": f"{first} {last}",
        "address": f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
        "postcode": f"{rng.randint(1000, 9999)} {rng.choice(['AB', 'XY', 'ZZ', 'QT'])}",
        "city": rng.choice(TOWNS),
        "email": f"{first.lower()}.{last.lower()}{n}@example.nl",
        "phone": f"06-{rng.randint(10000000, 99999999)}",
    }


def _closed_complaint(rng: random.Random, n: int, received: dt.date) -> dict[str, Any]:
    category = rng.choice(list(COMPLAINTS))
    ack = received + dt.timedelta(days=rng.choice([1, 2, 3, 5, 8, 12]))
    decided = received + dt.timedelta(days=rng.choice([6, 9, 12, 13, 16, 20, 30]))
    row = {
        "complaint_no": f"K{received.year}-{n:03d}", "received": received,
        "channel": rng.choice(["e-mail", "e-mail", "telefoon", "brief", "webformulier", "mondeling"]),
        **_person(rng, n),
        "description": rng.choice(COMPLAINTS[category]), "category": category,
        "cause": rng.choice(CAUSES), "urgency": rng.choice([4, 5, 6, 6, 7, 7, 8]),
        "handler": rng.choice(HANDLERS), "acknowledged": ack, "decided": decided,
        "method": rng.choice(["gesprek", "telefonisch", "schriftelijk", "e-mail"]),
        "outcome": rng.choice(["gegrond", "gegrond", "deels gegrond", "ongegrond", "ingetrokken"]),
        "investigation": "Werkbon en planning nagekeken en met de betrokken monteur gesproken.",
        "motivation": "Uit de werkbon blijkt dat de afspraak niet is nagekomen zoals beloofd.",
        "solution": "Kosteloos opnieuw langsgekomen en probleem verholpen.",
        "compensation": rng.choice(["", "", "Voorrijkosten gecrediteerd", "Waardebon € 50"]),
        "measure": rng.choice(MEASURES), "status": "afgehandeld",
        "correspondence": f"https://dossier.example.nl/{n}", "satisfied": rng.choice(["ja", "ja", "nee", "onbekend"]),
    }
    if (decided - received).days > 14:  # a long one got a valid extension
        row["extension_sent"] = received + dt.timedelta(days=10)
        row["extension_reason"] = "Onderdeel moest bij de fabrikant worden besteld."
        row["extended_until"] = received + dt.timedelta(days=35)
    return row


def demo_rows(anchor: dt.date = ANCHOR) -> list[list[Any]]:
    """The demo register's rows, header included."""
    rng = random.Random(2026)
    start = anchor - dt.timedelta(days=3 * 365)
    rows: list[dict[str, Any]] = []
    n = 0
    day = start
    while day < anchor - dt.timedelta(days=45):
        n += 1
        rows.append(_closed_complaint(rng, n, day))
        day += dt.timedelta(days=rng.randint(12, 26))
    # Older closed rows: some anonymised already (the rest is past retention and flagged).
    for row in rows:
        if row["decided"] >= anchor - dt.timedelta(days=420) or row["complaint_no"].endswith(("5", "9")):
            continue
        row["compensation_amount"] = AMOUNTS.get(row.get("compensation") or "")  # not personal: kept
        row.update({k: MARKER for k in PERSONAL_KEYS})
        row["anonymised"] = row["decided"] + dt.timedelta(days=400)
    # One escalated complaint, kept despite its age.
    rows[5].update({"escalated_to": "geschillencommissie", "urgency": 1, "outcome": "ongegrond"})

    def open_row(received: dt.date, **extra: Any) -> dict[str, Any]:
        nonlocal n
        n += 1
        category = rng.choice(list(COMPLAINTS))
        row = {"complaint_no": f"K{received.year}-{n:03d}", "received": received,
               "channel": rng.choice(["e-mail", "telefoon", "brief", "webformulier"]), **_person(rng, n),
               "description": rng.choice(COMPLAINTS[category]), "category": category,
               "cause": rng.choice(CAUSES), "urgency": rng.choice([4, 5, 6, 7]), "handler": rng.choice(HANDLERS),
               "status": "in behandeling"}
        row.update(extra)
        rows.append(row)
        return row

    d = anchor
    open_row(d - dt.timedelta(days=51), acknowledged=d - dt.timedelta(days=47),
             extension_sent=d - dt.timedelta(days=31), extension_reason="Wachten op rapport van de fabrikant.",
             extended_until=d - dt.timedelta(days=10))  # extension announced too late, decision overdue
    open_row(d - dt.timedelta(days=31), acknowledged=d - dt.timedelta(days=29))  # decision overdue
    open_row(d - dt.timedelta(days=25), acknowledged=d - dt.timedelta(days=22),
             extension_sent=d - dt.timedelta(days=14), extension_reason="Onderdeel is nabesteld.",
             extended_until=d + dt.timedelta(days=14))  # valid extension, running
    open_row(d - dt.timedelta(days=11), acknowledged=d - dt.timedelta(days=9),
             extension_reason="Tweede inspectie ter plaatse nodig.")  # term ends soon: uitstelbericht nodig
    open_row(d - dt.timedelta(days=10))  # no acknowledgement: late
    open_row(d - dt.timedelta(days=8), status="nieuw")  # acknowledgement due soon
    open_row(d - dt.timedelta(days=1), status="nieuw")

    # Typical slips of the 'waarschuwing' kind and messy-but-readable cells.
    rows[-9]["email"] = "iemand@voorbeeld"  # invalid address
    rows[-10]["status"] = "  Afgehandeld "  # stray spaces and capital: still recognised
    rows[-11]["category"] = "garantie"  # not in the configured list
    rows[-12]["received"] = rows[-12]["received"].strftime("%-d-%-m-%Y")  # typed as text
    rows[-13]["decided"] = None  # closed without decision date
    rows[-14]["received"] = f"{rows[-14]['received'].day} " + \
        ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
         "oktober", "november", "december"][rows[-14]["received"].month - 1] + f" {rows[-14]['received'].year}"
    rows[3]["note"] = "klant later teruggebeld"
    # What the half-year review and the daily mail look at (no random draws: the rest stays as it was).
    for row in rows:
        if "compensation_amount" not in row:
            row["compensation_amount"] = AMOUNTS.get(row.get("compensation") or "")
    rows[-6]["urgency"] = 2  # overdue and a registered letter: leads the daily mail
    rows[-4]["follow_up"] = anchor - dt.timedelta(days=1)  # waiting for the second inspection
    # A returning complainant (same e-mail, phone written differently) about an earlier repair.
    earlier = rows[-15]
    rows[-3].update({k: earlier[k] for k in ("name", "address", "postcode", "city")}, urgency=6,
                    email=earlier["email"].upper(), phone="+31 6 " + earlier["phone"][3:])
    # And one at the same address (postcode without space, house number only).
    rows[-16].update(postcode=rows[-20]["postcode"].replace(" ", "").lower(), address=rows[-20]["address"])
    grid = [HEADERS] + [_row(r) for r in rows]
    grid.insert(20, [None] * len(HEADERS))  # a blank row in the middle
    return grid


def write_xlsx(path: Path, rows: list[list[Any]], tab: str = "Register") -> None:
    """Write a grid to a new .xlsx file (only for demo and test registers)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(tab)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def synthetic_grid(n_rows: int, anchor: dt.date = ANCHOR, years: int = 3, seed: int = 1,
                   serial_dates: bool = True, review_columns: bool = False) -> list[list[Any]]:
    """A large register as the Sheets API returns it (dates as serial numbers, ragged rows).

    ``review_columns`` also fills what the half-year review looks at: phone, postcode and
    address (about one complaint in eight comes from an earlier complainant), Tevreden,
    Compensatie bedrag and Oplossing."""
    rng = random.Random(seed)
    span = years * 365
    anchor_serial = to_serial(anchor)
    categories = list(COMPLAINTS)
    rows: list[list[Any]] = [HEADERS[:-1]]
    idx = {c.key: i for i, c in enumerate(COLUMNS)}
    for n in range(n_rows):
        received = anchor_serial - rng.randint(0, span)
        closed = received < anchor_serial - 20
        row: list[Any] = [None] * len(COLUMNS)
        row[idx["complaint_no"]] = f"K{n:07d}"
        row[idx["received"]] = received if serial_dates else (SERIAL_EPOCH + dt.timedelta(days=received)).isoformat()
        row[idx["channel"]] = rng.choice(["e-mail", "telefoon", "brief", "webformulier"])
        row[idx["name"]] = f"Klant {n}"
        row[idx["email"]] = f"klant{n}@example.nl"
        if review_columns:
            who = rng.randrange(n) if n and rng.random() < 0.125 else n  # a returning complainant
            row[idx["email"]] = f"Klant{who}@Example.nl " if who != n else row[idx["email"]]
            row[idx["phone"]] = f"+31 6 {10000000 + who}"
            row[idx["postcode"]] = f"{1000 + who % 9000} {'AB' if who % 2 else 'XY'}"
            row[idx["address"]] = f"Proefstraat {who // 9000 + 1}"  # with the postcode: one address per person
            row[idx["satisfied"]] = rng.choice(["ja", "ja", "nee", "onbekend", None])
            row[idx["compensation_amount"]] = rng.choice([None, None, None, 25, "49,95", 100])
            row[idx["solution"]] = f"Oplossing {n % 40}"
        row[idx["description"]] = f"Omschrijving van klacht {n}"
        row[idx["category"]] = rng.choice(categories)
        row[idx["cause"]] = rng.choice(CAUSES)
        row[idx["urgency"]] = rng.randint(1, 8)
        row[idx["handler"]] = rng.choice(HANDLERS)
        row[idx["acknowledged"]] = received + rng.randint(0, 9)
        if closed:
            row[idx["decided"]] = received + rng.randint(3, 20)
            row[idx["outcome"]] = rng.choice(["gegrond", "deels gegrond", "ongegrond", "ingetrokken"])
            row[idx["status"]] = "afgehandeld"
            row[idx["measure"]] = rng.choice(MEASURES)
            # How the answer was given, as a kept register has it (no random draw: the rows
            # after this one stay as they were before the column was checked).
            row[idx["method"]] = METHODS[n % len(METHODS)]
        else:
            row[idx["status"]] = "in behandeling"
        while row and row[-1] is None:  # the API drops trailing empty cells
            row.pop()
        rows.append(row)
    return rows


def main(argv: list[str]) -> None:
    target = Path(argv[0] if argv else "data/demo-register.xlsx")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_xlsx(target, demo_rows())
    print(f"demo-register geschreven: {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
