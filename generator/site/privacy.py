"""The privacy guard: no personal value from the register may appear in any built file.

Every file in the built site is read by its content, not its name: HTML, XML, JSON (strings
decoded), SVG and any other text; PDF (text and metadata, with pypdf); zip containers (xlsx,
docx, odt, zip) and gzip, bzip2, xz and tar archives, member by member; PNG text chunks and
the printable runs in JPEG, GIF, WebP, ICO and font files (where metadata hides). A file of any
other binary kind is refused: the build stops, because what the guard cannot read it cannot
clear. Files copied unchanged from the installed theme packages (mkdocs-material's scripts,
fonts, icons) are skipped: they are byte-identical to the package and hold no register data.

The text of each file becomes normalised words (:mod:`register.personal`); the concatenations
of 1 to 8 consecutive words are compared with the register's tokens in one set intersection,
and, when complaints have been anonymised, their keyed hashes with the remembered hashes.
"""

from __future__ import annotations

import bz2
import gzip
import html
import io
import json
import lzma
import re
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from register.errors import SiteError
from register.model import Register
from register.personal import candidates, digest, register_tokens, shingles, words
from register.schema import PERSONAL_KEYS

MAX_UNPACKED = 512 * 1024 * 1024  # bytes unpacked from one archive before it counts as a bomb
MAX_DEPTH = 4  # archives inside archives
REMEMBERED = "een geanonimiseerde klacht"
MAX_CHARS = 160  # longest concatenation of page words compared (a 6-word run of free text)

_TAG = re.compile(r"<(?:!--.*?--|[a-zA-Z/!?][^>]*)>", re.S)
# Attributes that carry text a reader sees or follows; path data, classes and ids do not.
_TEXT_ATTRIBUTE = re.compile(r"""\b(?:alt|title|aria-label|content|href|src|value|placeholder|label)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_PRINTABLE = re.compile(rb"[\x20-\x7e\x80-\xff\t]{4,}")
_IMAGES_AND_FONTS = (b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"\x00\x00\x01\x00", b"wOFF", b"wOF2",
                     b"\x00\x01\x00\x00", b"OTTO", b"true")


@dataclass(frozen=True)
class Leak:
    file: str
    column: str  # schema key, or REMEMBERED
    row: int  # sheet row, 0 for a remembered (anonymised) complaint


class Unreadable(SiteError):
    """A built file of a kind the guard cannot read."""


def personal_values(reg: Register) -> dict[str, tuple[list[str], list[int]]]:
    """{column key: (cell texts, sheet rows)} of every filled personal cell."""
    from register.parse import cell_text

    columns = {}
    for key in PERSONAL_KEYS:
        raw = reg.raw.get(key)
        if raw is None or len(raw) == 0:
            continue
        cells = np.where(pd.isna(raw), "", raw)
        if pd.api.types.infer_dtype(raw, skipna=True) not in ("string", "empty"):  # numbers, dates
            odd = np.flatnonzero(np.frompyfunc(lambda v: type(v) is not str, 1, 1)(cells).astype(bool))
            cells[odd] = [cell_text(v) for v in cells[odd]]
        filled = np.flatnonzero(cells != "")
        columns[key] = (cells[filled].tolist(), reg.sheet_rows[filled].tolist())
    return columns


# -- reading files --------------------------------------------------------------------------------
def _markup_text(text: str) -> str:
    """Visible text and text-bearing attribute values of HTML/XML/SVG, entities decoded."""
    if "<" not in text:
        return html.unescape(text)

    def replace(match: re.Match) -> str:
        values = [a or b for a, b in _TEXT_ATTRIBUTE.findall(match.group())]
        return f" {' '.join(values)} " if values else " "

    return html.unescape(_TAG.sub(replace, text))


def _json_strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)


def _decode_text(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:65536]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _png_text(data: bytes) -> str:
    parts, pos = [], 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"tEXt":
            parts.append(chunk.decode("latin-1"))
        elif kind == b"zTXt":
            keyword, _, rest = chunk.partition(b"\x00")
            parts.append(keyword.decode("latin-1") + " " + zlib.decompress(rest[1:], bufsize=1 << 16).decode("latin-1"))
        elif kind == b"iTXt":
            keyword, _, rest = chunk.partition(b"\x00")
            compressed, rest = rest[0], rest[2:]
            _, _, rest = rest.partition(b"\x00")
            _, _, text = rest.partition(b"\x00")
            parts.append(keyword.decode("latin-1") + " " + (zlib.decompress(text) if compressed else text).decode("utf-8", "replace"))
        elif kind == b"IEND":
            break
        pos += 12 + length
    return "\n".join(parts) + "\n" + _strings(data)


def _strings(data: bytes) -> str:
    """Printable runs of a binary file, where EXIF, XMP and comments sit."""
    return "\n".join(m.decode("utf-8", "replace") for m in _PRINTABLE.findall(data))


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable(f"'{name}' is een beveiligde PDF")
        parts = [page.extract_text() or "" for page in reader.pages]
        parts.extend(str(v) for v in (reader.metadata or {}).values())
    except (PdfReadError, ValueError, KeyError, struct.error) as exc:
        raise Unreadable(f"'{name}' is een PDF die niet te lezen is ({exc.__class__.__name__})") from None
    return "\n".join(parts)


def _bounded(stream, name: str) -> bytes:
    data = stream.read(MAX_UNPACKED + 1)
    if len(data) > MAX_UNPACKED:
        raise Unreadable(f"'{name}' pakt uit tot meer dan {MAX_UNPACKED // 2**20} MB")
    return data


def texts(data: bytes, name: str, depth: int = 0) -> Iterator[str]:
    """The text of one file by its content; raises Unreadable for a kind the guard cannot read."""
    if depth > MAX_DEPTH:
        raise Unreadable(f"'{name}' bevat te diep geneste archieven")
    try:
        if data.startswith(b"%PDF"):
            yield _pdf_text(data, name)
        elif data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                total = 0
                for info in archive.infolist():
                    if info.is_dir():
                        continue
                    total += info.file_size
                    if total > MAX_UNPACKED:
                        raise Unreadable(f"'{name}' pakt uit tot meer dan {MAX_UNPACKED // 2**20} MB")
                    with archive.open(info) as member:
                        yield from texts(_bounded(member, name), f"{name}/{info.filename}", depth + 1)
        elif data.startswith(b"\x1f\x8b"):
            yield from texts(_bounded(gzip.GzipFile(fileobj=io.BytesIO(data)), name), name, depth + 1)
        elif data.startswith(b"BZh"):
            yield from texts(_bounded(bz2.BZ2File(io.BytesIO(data)), name), name, depth + 1)
        elif data.startswith(b"\xfd7zXZ\x00"):
            yield from texts(_bounded(lzma.LZMAFile(io.BytesIO(data)), name), name, depth + 1)
        elif data[257:262] == b"ustar":
            with tarfile.open(fileobj=io.BytesIO(data)) as archive:
                for tar_info in archive.getmembers():
                    extracted = archive.extractfile(tar_info) if tar_info.isfile() else None
                    if extracted is not None:
                        yield tar_info.name
                        yield from texts(_bounded(extracted, name), f"{name}/{tar_info.name}", depth + 1)
        elif data.startswith(b"\x89PNG\r\n\x1a\n"):
            yield _png_text(data)
        elif data.startswith(_IMAGES_AND_FONTS) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
            yield _strings(data)
        else:
            text = _decode_text(data)
            if text is None:
                raise Unreadable(f"'{name}' is een bestandstype dat de privacybewaking niet kan lezen")
            stripped = text.lstrip()
            if stripped[:1] in ("{", "["):
                try:
                    text = "\n".join(_json_strings(json.loads(text)))
                except ValueError:
                    pass
            yield _markup_text(text)
    except (zipfile.BadZipFile, gzip.BadGzipFile, OSError, EOFError, lzma.LZMAError, tarfile.TarError,
            zlib.error, struct.error) as exc:
        raise Unreadable(f"'{name}' is beschadigd of onleesbaar ({exc.__class__.__name__})") from None


def file_words(site_dir: Path, skip: frozenset[str] = frozenset()) -> Iterator[tuple[str, list[str]]]:
    """(path relative to site_dir, normalised words) for every file not in ``skip``."""
    for path in sorted(site_dir.rglob("*")):
        rel = path.relative_to(site_dir).as_posix()
        if path.is_file() and rel not in skip:
            yield rel, words("\n".join(texts(path.read_bytes(), rel)))


def find_leaks(site_dir: Path, columns: dict[str, tuple[list[str], list[int]]],
               allowed: frozenset[str] = frozenset(), remembered: tuple[bytes, frozenset[str]] | None = None,
               skip: frozenset[str] = frozenset()) -> list[Leak]:
    """Every (file, column, row) where a personal token occurs in a built file.

    ``columns`` from :func:`personal_values`; ``allowed`` holds normalised words and values that
    are ours to publish (config, templates); ``remembered`` the key and hashes kept for
    anonymised complaints; ``skip`` relative paths of unchanged theme files. The site is read
    first (it is small), then the register is matched against it column by column.
    """
    pages = {rel: page_words for rel, page_words in file_words(site_dir, skip)}
    per_file = {rel: candidates(page_words, MAX_CHARS) - allowed for rel, page_words in pages.items()}
    everything = set().union(*per_file.values())
    found = register_tokens(columns, allowed, everything, set().union(*map(shingles, pages.values())))
    known: set[str] = set()
    if remembered:  # each distinct candidate hashed once, whichever files hold it
        key, hashes = remembered
        known = {t for t in everything if len(t) >= 5 and digest(key, t) in hashes}
    leaks: list[Leak] = []
    for rel, page in per_file.items():
        hits = {found[t] for t in page.intersection(found)}
        leaks.extend(Leak(rel, column, row) for column, row in sorted(hits))
        if known and not known.isdisjoint(page):
            leaks.append(Leak(rel, REMEMBERED, 0))
    return leaks


def package_copies(site_dir: Path, theme_dirs: list[str]) -> frozenset[str]:
    """Built files that are byte-identical copies of a file in an installed theme package (not
    our own templates/theme, which the owner may edit)."""
    ours = Path(__file__).resolve().parents[2]
    packages = [Path(d).resolve() for d in theme_dirs if not Path(d).resolve().is_relative_to(ours)]
    unchanged = set()
    for path in site_dir.rglob("*"):
        rel = path.relative_to(site_dir).as_posix()
        for folder in packages:
            source = folder / rel
            if source.is_file() and path.is_file() and source.stat().st_size == path.stat().st_size \
                    and source.read_bytes() == path.read_bytes():
                unchanged.add(rel)
                break
    return frozenset(unchanged)


__all__ = ["Leak", "Unreadable", "file_words", "find_leaks", "package_copies", "personal_values", "texts"]


#: Carried by the internal review (klachten analyse, templates/analyse/rapport.html): a built
#: file with it, or named like a review, is never published, whatever the register holds.
PRIVATE_MARKER = 'name="klachten-intern"'


def private_reports(site_dir: Path) -> list[str]:
    """Relative paths of internal review reports found in a built site."""
    found = []
    for path in sorted(site_dir.rglob("*")):
        if not path.is_file():
            continue
        named = path.name.lower().startswith("klachtenanalyse-")
        marked = path.suffix.lower() in (".html", ".htm") and \
            PRIVATE_MARKER in path.read_text(encoding="utf-8", errors="replace")
        if named or marked:
            found.append(str(path.relative_to(site_dir)))
    return found
