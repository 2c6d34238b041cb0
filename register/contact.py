"""Whom a complainant contacts: one declaration, read by the site, the letters and the public form.

The contact is the configured contactpersoon when there is one, otherwise the
klachtverantwoordelijke, each with their own e-mail address and telephone number and the
organisation's as the fallback, never another person's. A letter about one complaint may name
that complaint's Contactpersoon instead (``row_contact``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .config import Config


@dataclass(frozen=True)
class Contact:
    naam: str
    functie: str
    email: str
    telefoon: str
    openingstijden: str = ""
    verantwoordelijke: str = ""  # the klachtverantwoordelijke, when the contact is someone else
    verantwoordelijke_functie: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def contact(config: Config, row_contact: str = "") -> Contact:
    """The one person a visitor or complainant is sent to.

    Order: ``row_contact`` (a complaint's Contactpersoon, e-mail from [mail] behandelaars), the
    configured contactpersoon, the klachtverantwoordelijke. ``naam`` is empty when no person is
    configured at all (the site then names none; a letter signs with the organisation's name)."""
    kb, org = config.klachtbehandeling, config.organisatie
    hours = kb.openingstijden
    if row_contact and row_contact not in (kb.contactpersoon, kb.klachtverantwoordelijke):
        return Contact(row_contact, kb.contactpersoon_functie, config.mail.behandelaars.get(row_contact, org.email),
                       org.telefoon, hours, kb.klachtverantwoordelijke, kb.functie)
    if kb.contactpersoon and row_contact != kb.klachtverantwoordelijke:
        return Contact(kb.contactpersoon, kb.contactpersoon_functie, kb.contactpersoon_email or org.email,
                       kb.contactpersoon_telefoon or org.telefoon, hours, kb.klachtverantwoordelijke, kb.functie)
    return Contact(kb.klachtverantwoordelijke, kb.functie, kb.email or org.email,
                   kb.telefoon or org.telefoon, hours)
