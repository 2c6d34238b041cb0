"""Dutch singular and plural by count: '1 klacht', '2 klachten', never 'klacht(en)'."""

from __future__ import annotations


def count(n: int, singular: str, plural: str) -> str:
    """'1 klacht', '0 klachten', '2 klachten'."""
    return f"{n} {singular if n == 1 else plural}"


def listing(items: list[str]) -> str:
    """'a', 'a en b', 'a, b en c': a Dutch enumeration."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" en {items[-1]}"


def is_or_are(items: list[str]) -> str:
    """'is' for one item, 'zijn' for more: "'Standpunt' en 'Motivering' zijn leeg"."""
    return "is" if len(items) == 1 else "zijn"
