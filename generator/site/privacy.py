"""The privacy guard: no personal value from the register may appear in any built file.

Every file in the built site is read by its content, not its name, through every channel it
has: HTML/XML/SVG text with every attribute value (data-* too), comments, CDATA and odd tags
kept verbatim; backslash escapes (CSS, JavaScript, JSON), %-escapes and base64 data URIs; text
in UTF-8, UTF-16 or UTF-32 with or without a byte order mark, or cp1252; PDF page text, every
string of every object (outlines, annotations, form fields, document information), XMP, attached
files and JPEG images; zip containers (xlsx, docx, odt, zip) with their names and comments, and
gzip, bzip2, xz and tar archives, member by member; PNG text chunks, and the single-byte and
UTF-16 text runs in JPEG, GIF, WebP, TIFF, ICO and font files (EXIF, XPComment/XPAuthor, XMP,
IPTC). A file that cannot be read completely is refused (:class:`Unreadable`): the build stops,
because what the guard cannot read it cannot clear. Files whose bytes hash to what an installed
theme package shipped (its RECORD) are skipped, wherever the environment lives.

The text of each file becomes normalised words (:mod:`register.personal`); the concatenations
of 1 to 8 consecutive words are compared with the register's tokens in one set intersection,
runs of six words with the free texts in one hashed merge per build, and, when complaints have
been anonymised, keyed hashes with the remembered hashes.
"""

from __future__ import annotations

import base64
import bz2
import gzip
import html
import io
import json
import lzma
import re
import struct
import tarfile
import unicodedata
import urllib.parse
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from register.boundary import personal_columns
from register.errors import SiteError
from register.model import Register
from register.personal import candidates, digest, register_tokens, shingles, words
from register.policy import MIN_TOKEN

MAX_UNPACKED = 512 * 1024 * 1024  # bytes unpacked from one archive before it counts as a bomb
MAX_DEPTH = 4  # archives inside archives
REMEMBERED = "een geanonimiseerde klacht"
MAX_CHARS = 160  # longest concatenation of page words compared (a 6-word run of free text)



@dataclass(frozen=True)
class Leak:
    file: str
    column: str  # schema key, or REMEMBERED
    row: int  # sheet row, 0 for a remembered (anonymised) complaint


class Unreadable(SiteError):
    """A built file of a kind the guard cannot read."""


def personal_values(reg: Register) -> dict[str, tuple[list[str], list[int]]]:
    """{column key: (cell texts, sheet rows)} of every filled personal cell."""
    return personal_columns(reg)


# -- reading files --------------------------------------------------------------------------------
# A tag (with its attributes) or a comment; the comment's text is kept as text.
_TAG = re.compile(r"<!--(.*?)-->|<!\[CDATA\[(.*?)\]\]>|<[a-zA-Z/!?][^>]*>", re.S)
_TAG_NAME = re.compile(r"<[/!?]?[a-zA-Z][\w:.-]*")
# Every attribute value of a tag, quoted or not (data-*, title, href, style, ...).
_ATTRIBUTE = re.compile(r"""[^\s=<>"'/]+\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
# Backslash escapes of CSS (\40 , \000040) and JavaScript/JSON (\u0040, \u{40}, \x40, \n).
_ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([0-9a-fA-F]{1,6}) ?|(.))", re.S)
_ESCAPED_CHARS = {"n": " ", "r": " ", "t": " ", "v": " ", "f": " ", "0": " "}
_DATA_URI = re.compile(r"data:[\w/+.-]*(?:;[\w=.-]+)*;base64,([A-Za-z0-9+/=\s]{8,})")
_PRINTABLE = re.compile(rb"[\x20-\x7e\x80-\xff\t]{4,}")
# Runs of UTF-16 text inside a binary file: EXIF XPComment/XPAuthor (little-endian), the
# UNICODE UserComment and font names (either byte order).
_UTF16LE = re.compile(rb"(?:[\x20-\x7e\xa0-\xff]\x00){4,}")
_UTF16BE = re.compile(rb"(?:\x00[\x20-\x7e\xa0-\xff]){4,}")
_IMAGES_AND_FONTS = (b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"\x00\x00\x01\x00", b"wOFF", b"wOF2",
                     b"\x00\x01\x00\x00", b"OTTO", b"true", b"II*\x00", b"MM\x00*")
_BOMS = ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\xef\xbb\xbf", "utf-8-sig"),
         (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))


def _unescape(match: re.Match) -> str:
    code = match.group(1) or match.group(2) or match.group(3) or match.group(4)
    if code is not None:
        value = int(code, 16)
        return chr(value) if 0 < value < 0x110000 and not 0xD800 <= value < 0xE000 else " "
    char = match.group(5)
    return _ESCAPED_CHARS.get(char, char)


def _markup_text(text: str, odd: list[str]) -> str:
    """The text of HTML/XML/SVG with every tag replaced by its attribute values (data-* and all),
    and comments and CDATA by their text; entities decoded. A name split by markup
    (``Ver<b>beek</b>``) becomes two words again, which the guard's concatenations join. A
    'tag' that holds more than a name and attributes (``<naam@domein.nl>`` in a text file,
    ``a<b && c>d`` in a script) is added to ``odd`` as written, so nothing inside it is lost."""

    def replace(match: re.Match) -> str:
        if match.group(1) is not None or match.group(2) is not None:
            return f" {match.group(1) or match.group(2) or ''} "
        tag = match.group()
        values = [a or b or c for a, b, c in _ATTRIBUTE.findall(tag)]
        rest = _TAG_NAME.sub(" ", _ATTRIBUTE.sub(" ", tag[:-1]), count=1)
        if not rest.isspace() and any(c.isalnum() for c in rest):
            odd.append(tag[1:-1])
        return f" {' '.join(values)} " if values else " "

    text = html.unescape(_TAG.sub(replace, text))
    # Markup that was escaped as text ('Ver&lt;b&gt;beek') reads as markup once more.
    return _TAG.sub(replace, text) if "<" in text else text


def _text_channels(text: str, name: str, depth: int) -> Iterator[str]:
    """Everything a text file can say: the text of its markup with every attribute value,
    comment and odd tag (see _markup_text), entities, backslash escapes (CSS, JavaScript,
    JSON) and %-escapes decoded; and what its base64 data URIs hold, as files of their own."""
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            text = "\n".join(_json_strings(json.loads(text)))
        except ValueError:
            pass
    odd: list[str] = []
    body = _markup_text(text, odd) if "<" in text or "&" in text else text
    if odd:
        body += "\n" + html.unescape("\n".join(odd))
    if "\\" in body:
        body = _ESCAPE.sub(_unescape, body)
    if "%" in body:
        body = urllib.parse.unquote(body)
    yield body
    for match in _DATA_URI.finditer(text):
        try:
            data = base64.b64decode("".join(match.group(1).split()) + "==", validate=False)
        except ValueError:
            raise Unreadable(f"'{name}' bevat een data-URI die niet te lezen is") from None
        yield from texts(data, f"{name} (data-URI)", depth + 1)


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
    elif value is not None:
        yield str(value)


def _plausible(text: str) -> bool:
    """Decoded text that reads as text: almost no control characters or unassigned code points."""
    if not text:
        return True
    odd = sum(1 for c in text if c not in "\t\r\n\f" and unicodedata.category(c) in ("Cc", "Cn", "Cs", "Co"))
    return odd <= len(text) // 100


def _decode_text(data: bytes) -> str | None:
    """Text in any Unicode encoding (BOM or not: UTF-8, UTF-16, UTF-32 in either byte order)
    or cp1252; None when the bytes are not text."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:  # UTF-16/32 without a byte order mark: the zero bytes give the layout
        layouts = (("utf-32-le", 4, data[3::4]), ("utf-32-be", 4, data[0::4]),
                   ("utf-16-le", 2, data[1::2]), ("utf-16-be", 2, data[0::2]))
        for encoding, unit, high in layouts:
            # mostly Latin text: at least half of the high bytes zero (all of them for UTF-32)
            if len(data) % unit or high.count(0) * (1 if unit == 4 else 2) < len(high):
                continue
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _plausible(text):
                return text
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
            parts.append(keyword.decode("latin-1") + " " + _inflate(rest[1:]).decode("latin-1"))
        elif kind == b"iTXt":
            keyword, _, rest = chunk.partition(b"\x00")
            compressed, rest = rest[0], rest[2:]
            _, _, rest = rest.partition(b"\x00")
            _, _, text = rest.partition(b"\x00")
            parts.append(keyword.decode("latin-1") + " " + (_inflate(text) if compressed else text).decode("utf-8", "replace"))
        elif kind == b"IEND":
            break
        pos += 12 + length
    return "\n".join(parts) + "\n" + _strings(data)


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, MAX_UNPACKED)
    if inflater.unconsumed_tail:
        raise ValueError("a text chunk unpacks to too much data")
    return out


def _strings(data: bytes) -> str:
    """The text runs of a binary file, where EXIF, XMP, IPTC and comments sit: single-byte
    (ASCII, Latin-1, UTF-8) and UTF-16 in both byte orders (EXIF XPComment, XPAuthor)."""
    runs = [m.decode("utf-8", "replace") for m in _PRINTABLE.findall(data)]
    runs += [m[:len(m) // 2 * 2].decode("utf-16-le", "replace") for m in _UTF16LE.findall(data)]
    runs += [m[:len(m) // 2 * 2].decode("utf-16-be", "replace") for m in _UTF16BE.findall(data)]
    return "\n".join(runs)


def _pdf_strings(obj, out: list[str], pending: list) -> None:
    """Every string and name value inside one PDF object (dictionaries and arrays walked;
    references are not followed: each indirect object is visited once from the xref)."""
    from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, NameObject, TextStringObject

    if isinstance(obj, TextStringObject):
        out.append(str(obj))
    elif isinstance(obj, ByteStringObject):
        out.append(bytes(obj).decode("latin-1"))
        if bytes(obj)[:2] in (b"\xfe\xff", b"\xff\xfe"):
            out.append(bytes(obj).decode("utf-16", "replace"))
    elif isinstance(obj, NameObject):
        out.append(obj[1:])
    elif isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            if key not in ("/Type", "/Subtype", "/Filter", "/S"):
                pending.append(value)
    elif isinstance(obj, ArrayObject):
        pending.extend(obj)


def _pdf_text(data: bytes, name: str, depth: int) -> Iterator[str]:
    """Page text, and every string of every object (outlines, annotations, form fields,
    document information, file names and descriptions); XMP metadata; embedded (attached)
    files and JPEG images, read as files of their own."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError
    from pypdf.generic import IndirectObject, StreamObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable(f"'{name}' is een beveiligde PDF")
        for page in reader.pages:
            yield page.extract_text() or ""
        ids = {(num, gen) for gen, table in reader.xref.items() for num in table}
        ids |= {(num, 0) for num in reader.xref_objStm}
        strings: list[str] = []
        for num, gen in sorted(ids):
            obj = reader.get_object(IndirectObject(num, gen, reader))
            if isinstance(obj, StreamObject):
                kind, sub = obj.get("/Type"), obj.get("/Subtype")
                filters = obj.get("/Filter")
                filters = [filters] if not isinstance(filters, list) else filters
                if kind == "/EmbeddedFile":
                    yield from texts(obj.get_data(), f"{name} (bijlage {num})", depth + 1)
                elif kind == "/Metadata" or sub == "/XML":
                    yield from _text_channels(obj.get_data().decode("utf-8", "replace"), name, depth)
                elif sub == "/Image" and filters and filters[-1] == "/DCTDecode":
                    yield _strings(obj._data)  # the JPEG as stored, EXIF and all
            pending = [obj]
            while pending:
                _pdf_strings(pending.pop(), strings, pending)
        for key, value in (reader.trailer or {}).items():
            if key == "/Info" or not isinstance(value, IndirectObject):
                _pdf_strings(value, strings, [])
        yield "\n".join(strings)
    except Unreadable:
        raise
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            struct.error, zlib.error, RecursionError) as exc:
        raise Unreadable(f"'{name}' is een PDF die niet volledig te lezen is ({exc.__class__.__name__})") from None


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
            yield from _pdf_text(data, name, depth)
        elif data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                total = 0
                for info in archive.infolist():
                    yield info.filename
                    if info.comment:
                        yield info.comment.decode("utf-8", "replace")
                    if info.is_dir():
                        continue
                    total += info.file_size
                    if total > MAX_UNPACKED:
                        raise Unreadable(f"'{name}' pakt uit tot meer dan {MAX_UNPACKED // 2**20} MB")
                    with archive.open(info) as member:
                        yield from texts(_bounded(member, name), f"{name}/{info.filename}", depth + 1)
                if archive.comment:
                    yield archive.comment.decode("utf-8", "replace")
        elif data.startswith(b"\x1f\x8b"):
            yield from texts(_bounded(gzip.GzipFile(fileobj=io.BytesIO(data)), name), name, depth + 1)
        elif data.startswith(b"BZh"):
            yield from texts(_bounded(bz2.BZ2File(io.BytesIO(data)), name), name, depth + 1)
        elif data.startswith(b"\xfd7zXZ\x00"):
            yield from texts(_bounded(lzma.LZMAFile(io.BytesIO(data)), name), name, depth + 1)
        elif data[257:262] == b"ustar":
            with tarfile.open(fileobj=io.BytesIO(data)) as archive:
                for tar_info in archive.getmembers():
                    yield tar_info.name
                    extracted = archive.extractfile(tar_info) if tar_info.isfile() else None
                    if extracted is not None:
                        yield from texts(_bounded(extracted, name), f"{name}/{tar_info.name}", depth + 1)
        elif data.startswith(b"\x89PNG\r\n\x1a\n"):
            yield _png_text(data)
        elif data.startswith(_IMAGES_AND_FONTS) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
            yield _strings(data)
        else:
            text = _decode_text(data)
            if text is None:
                raise Unreadable(f"'{name}' is een bestandstype dat de privacybewaking niet kan lezen")
            yield from _text_channels(text, name, depth)
    except Unreadable:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, gzip.BadGzipFile, OSError, EOFError, lzma.LZMAError,
            tarfile.TarError, zlib.error, struct.error, RuntimeError, NotImplementedError, ValueError) as exc:
        # RuntimeError/NotImplementedError: an encrypted zip member, an unknown compression
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
    if not pages:  # a warm rebuild where every file was found clean before
        return []
    per_file = {rel: candidates(page_words, MAX_CHARS) - allowed for rel, page_words in pages.items()}
    everything = set().union(*per_file.values())
    found = register_tokens(columns, allowed, everything, set().union(*map(shingles, pages.values())))
    known: set[str] = set()
    if remembered:  # each distinct candidate hashed once, whichever files hold it
        key, hashes = remembered
        known = {t for t in everything if len(t) >= MIN_TOKEN and digest(key, t) in hashes}
    leaks: list[Leak] = []
    for rel, page in per_file.items():
        hits = {found[t] for t in page.intersection(found)}
        leaks.extend(Leak(rel, column, row) for column, row in sorted(hits))
        if known and not known.isdisjoint(page):
            leaks.append(Leak(rel, REMEMBERED, 0))
    return leaks


def _recorded_hashes(theme_dirs: list[str]) -> dict[tuple[int, str], str]:
    """{(index of the theme folder, path inside it): sha256 (urlsafe base64, as in RECORD)} of
    every file that an installed distribution put in one of these theme folders. A folder
    outside every site-packages (our own templates/theme, the owner's custom_dir) has none."""
    import site
    import sysconfig
    from importlib import metadata

    folders = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], site.getusersitepackages()]
    folders += getattr(site, "getsitepackages", list)()  # missing in some old virtualenvs
    roots = {Path(p).resolve() for p in folders if Path(p).is_dir()}
    records: dict[Path, list[str]] = {}  # site-packages -> the RECORD texts of its distributions
    recorded: dict[tuple[int, str], str] = {}
    for index, folder in enumerate(Path(d).resolve() for d in theme_dirs):
        root = next((r for r in roots if folder.is_relative_to(r) and folder != r), None)
        if root is None:
            continue
        if root not in records:  # RECORD read as text: much faster than metadata's file objects
            records[root] = [dist.read_text("RECORD") or "" for dist in metadata.distributions(path=[str(root)])]
        prefix = folder.relative_to(root).as_posix() + "/"
        for record in records[root]:
            if prefix not in record:
                continue
            for line in record.splitlines():
                if line.startswith(prefix):
                    path, _, rest = line.partition(",")
                    mode, _, value = rest.partition(",")[0].partition("=")
                    if mode == "sha256" and value:
                        recorded[(index, path[len(prefix):])] = value
    return recorded


def package_copies(site_dir: Path, theme_dirs: list[str]) -> frozenset[str]:
    """Built files that are byte-identical to the file an installed theme package shipped
    (mkdocs-material's scripts, fonts, icons), by the sha256 in the package's RECORD.

    Wherever the environment lives (a .venv inside the checkout, as the README installs it,
    or elsewhere) the answer is the same. A file is skipped only when its bytes hash to what
    the package's authors published, so nothing derived from the register can be among them;
    a theme file changed after installation, our own templates and anything from docs_dir
    with another content are scanned word by word."""
    import base64 as b64
    import hashlib

    recorded = _recorded_hashes(theme_dirs)
    if not recorded:
        return frozenset()
    unchanged = set()
    for path in site_dir.rglob("*"):
        rel = path.relative_to(site_dir).as_posix()
        for index in range(len(theme_dirs)):
            expected = recorded.get((index, rel))
            if expected is not None:
                if path.is_file():
                    actual = b64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).rstrip(b"=").decode()
                    if actual == expected:
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
