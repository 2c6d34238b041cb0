"""The complaint-number checks of `controleer` take a fast path for plain numbers (issue 22):
it must give the same answers as the full normalisation (NFKC, casefold, no punctuation)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from register.check import check_grid
from register.sources import Grid
from tests.conftest import HEADERS, complaint


def full_key(number: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", number).casefold())


@given(st.text(alphabet="ABCKXYZabckxyz0123456789._/-", min_size=1, max_size=20))
def test_the_fast_key_of_a_plain_number_is_the_full_key(number):
    fast = number.lower().replace("-", "").replace(".", "").replace("/", "").replace("_", "")
    assert fast == full_key(number)


def test_a_plain_number_and_a_lookalike_with_other_characters_clash(config):
    rows = [complaint(complaint_no="K2026-001"),
            complaint(complaint_no="Ｋ2026-001"),  # fullwidth K
            complaint(complaint_no="K2026–001"),  # en dash
            complaint(complaint_no="K2026-002")]
    result = check_grid(Grid([HEADERS] + rows, "test"), config, dt.date(2026, 3, 20))
    clashes = [(f.cel, f.melding) for f in result.findings if f.code == "klachtnummer_lijkt_dubbel"]
    assert clashes == [("A3", "klachtnummer Ｋ2026-001 is bijna gelijk aan K2026-001 (rij 2)"),
                       ("A4", "klachtnummer K2026–001 is bijna gelijk aan K2026-001 (rij 2)")]
