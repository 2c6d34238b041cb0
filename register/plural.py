"""Dutch singular and plural by count: '1 klacht', '2 klachten', never 'klacht(en)'."""

from __future__ import annotations


def count(n: int, singular: str, plural: str) -> str:
    """'1 klacht', '0 klachten', '2 klachten'."""
    return f"{n} {singular if n == 1 else plural}"
