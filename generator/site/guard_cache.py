"""The privacy guard's cache: which built files it already found clean.

Kept out of the plugin so the plugin holds only its hooks. The cache file (in the cache
folder) holds content hashes and one fingerprint, never a value from the register.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from register.files import write_atomic


class CheckedFiles:
    """Built files the privacy guard already found clean, by content hash, for one set of
    personal values, own words and remembered hashes (their fingerprint): a warm rebuild scans
    only what changed. Sound because the guard's verdict on a file depends only on that file's
    text and on those three (generator.site.privacy.find_leaks). The cache file holds hashes only.
    """

    VERSION = 2  # raise when the guard reads or matches differently: old verdicts then miss

    def __init__(self, cache: Path, values: dict, allowed: frozenset[str],
                 kept: tuple[bytes, frozenset[str]] | None) -> None:
        digest = hashlib.sha256(repr(self.VERSION).encode())
        for column in sorted(values):
            texts, rows = values[column]
            digest.update(repr((column, list(texts), list(rows))).encode())
        digest.update("\n".join(sorted(allowed)).encode())
        if kept is not None:
            digest.update(kept[0] + "\n".join(sorted(kept[1])).encode())
        self.fingerprint = digest.hexdigest()
        self.path = cache / "privacybewaking.json"

    def _hashes(self, site_dir: Path, skip: frozenset[str]) -> dict[str, str]:
        return {path.relative_to(site_dir).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
                for path in site_dir.rglob("*")
                if path.is_file() and path.relative_to(site_dir).as_posix() not in skip}

    def unchanged(self, site_dir: Path, skip: frozenset[str]) -> frozenset[str]:
        """Files whose exact content was found clean before, under the same fingerprint."""
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return frozenset()
        if not isinstance(saved, dict) or saved.get("fingerprint") != self.fingerprint:
            return frozenset()
        clean = set(saved.get("clean", []))
        return frozenset(rel for rel, h in self._hashes(site_dir, skip).items() if h in clean)

    def remember(self, site_dir: Path, skip: frozenset[str]) -> None:
        write_atomic(self.path, json.dumps({"fingerprint": self.fingerprint,
                                            "clean": sorted(set(self._hashes(site_dir, skip).values()))}).encode())
