"""The private store: every file the tool writes about complainants goes through here.

Letters, the outbox and the sent log, backups and copies before a change, access packages,
analysis reports, caches and logs live in the private folders (``[nachtrun] map`` and
``[brieven] map``). The store makes their folders 0700 and their files 0600 whatever
the umask, writes each file whole or not at all, and keeps a **manifest**
(``<privémap>/manifest.json``): for each file, the complaint numbers (canonical form, see
:func:`register.policy.canonical_number`) whose data it holds. Anonymisation deletes by the
manifest and `inzage` collects by it, never by matching file names; `controleer` reports a
file in a private folder that the manifest does not know.

A private folder made before the manifest existed is *adopted* on the first run that reads the
register: each file is searched for the register's complaint numbers (inside zips, PDFs and
mails too), the manifest is written and the permissions are tightened.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .policy import DIR_MODE, FILE_MODE, canonical_number

if TYPE_CHECKING:
    from .config import Config

MANIFEST = "manifest.json"
#: In the manifest for a file that holds every complaint of the register (a backup).
WHOLE_REGISTER = "*"
_LOCK = ".manifest.lock"
_VERSION = 1
#: Files of the store and the locks: never reported as unknown.
_OWN = re.compile(r"^(manifest\.json|\.manifest\.lock|.*\.lock|\..*\.tmp|.*\.tmp)$")


class PrivateStore:
    """The private folders of one configuration, and their manifest."""

    def __init__(self, config: Config | None = None, roots: list[Path] | None = None) -> None:
        #: The register itself when it lives in a private folder (the demo's working copy):
        #: never adopted, reported or removed as one of the tool's files.
        self.registers: set[Path] = set()
        #: Derived files without personal data (charts, the public form, the site guard's
        #: cache): written by the site build, recorded here without complaints.
        self.cache: Path | None = None
        if config is not None:
            self.cache = _absolute(config.cache_dir())
            roots = [config.private_dir(), config.letters_dir()]
            register = config.register_path()
            self.registers = {_absolute(register), _absolute(config.private_dir() / "demo-register.xlsx")}
            self.registers |= {p.with_name(p.name + ".bron") for p in self.registers}
        assert roots
        self.root = roots[0]
        # A folder inside another one is covered by it.
        self.roots: list[Path] = []
        for folder in sorted({_absolute(r) for r in roots}, key=lambda p: len(p.parts)):
            if not any(folder == r or r in folder.parents for r in self.roots):
                self.roots.append(folder)
        self.manifest_path = self.root / MANIFEST

    @classmethod
    def at(cls, private_dir: Path) -> PrivateStore:
        """A store for a private folder alone (no configuration at hand)."""
        return cls(roots=[private_dir])

    # -- paths -------------------------------------------------------------------------------------
    def _key(self, path: Path) -> str:
        path = _absolute(path)
        root = _absolute(self.root)
        return path.relative_to(root).as_posix() if root in path.parents else str(path)

    def _path(self, key: str) -> Path:
        p = Path(key)
        return p if p.is_absolute() else _absolute(self.root) / p

    def _root_of(self, path: Path) -> Path | None:
        path = _absolute(path)
        return next((r for r in self.roots if r == path or r in path.parents), None)

    def ensure_dir(self, folder: Path) -> Path:
        """Make ``folder`` (and the missing folders above it, up to its private root) with
        mode 0700; an existing private folder is tightened to 0700."""
        folder = _absolute(folder)
        root = self._root_of(folder)
        chain = [folder] + [p for p in folder.parents if root is not None and (p == root or root in p.parents)]
        for level in reversed(chain):
            if not level.is_dir():
                level.mkdir(mode=DIR_MODE, parents=root is None, exist_ok=True)
            if root is not None:
                _chmod(level, DIR_MODE)
        return folder

    # -- writing -----------------------------------------------------------------------------------
    def write(self, path: Path, data: bytes, numbers: Iterable[str], exclusive: bool = False) -> Path:
        """Write ``path`` whole (a temporary file, then a rename) at 0600 and record whose data
        it holds. ``exclusive``: never replace an existing file (FileExistsError instead)."""
        self.ensure_dir(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                _fchmod(fh.fileno())
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if exclusive:
                os.link(tmp, path)
                os.unlink(tmp)
            else:
                os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self.record(path, numbers)
        return path

    def write_text(self, path: Path, text: str, numbers: Iterable[str], exclusive: bool = False) -> Path:
        return self.write(path, text.encode("utf-8"), numbers, exclusive)

    def append(self, path: Path, text: str, numbers: Iterable[str]) -> Path:
        """Append to a log at 0600 and record the numbers it now holds."""
        self.ensure_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        try:
            _fchmod(fd)
            os.write(fd, text.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        self.record(path, numbers)
        return path

    def secure(self, path: Path) -> None:
        """Tighten a file another library wrote (a PDF from WeasyPrint) and its folders."""
        self.ensure_dir(path.parent)
        _chmod(path, FILE_MODE)

    # -- the manifest --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, list[str]]]:
        """The manifest's entries, read and written back under the store's lock."""
        from filelock import FileLock

        self.ensure_dir(self.root)
        with FileLock(str(self.root / _LOCK), mode=FILE_MODE):
            entries = self._read()
            before = json.dumps(entries, sort_keys=True)
            yield entries
            if json.dumps(entries, sort_keys=True) != before:
                self._save(entries)

    def _read(self) -> dict[str, list[str]]:
        try:
            raw = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (ValueError, UnicodeDecodeError):
            from .errors import KlachtenError

            raise KlachtenError(f"het manifest {self.manifest_path} is beschadigd; verwijder het, dan bouwt "
                                "de volgende run het opnieuw op uit de bestanden in de privémap") from None
        files = raw.get("bestanden", {}) if isinstance(raw, dict) else {}
        return {str(k): [str(n) for n in v] for k, v in files.items() if isinstance(v, list)}

    def _save(self, entries: dict[str, list[str]]) -> None:
        data = json.dumps({"versie": _VERSION, "bestanden": dict(sorted(entries.items()))},
                          ensure_ascii=False, indent=1).encode("utf-8")
        fd, tmp = tempfile.mkstemp(prefix=f".{MANIFEST}.", suffix=".tmp", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as fh:
                _fchmod(fh.fileno())
                fh.write(data)
            os.replace(tmp, self.manifest_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def record(self, path: Path, numbers: Iterable[str]) -> None:
        """Note that ``path`` holds the data of these complaints (added to what it held)."""
        self.record_many({path: numbers})

    def record_many(self, files: dict[Path, Iterable[str]]) -> None:
        """:meth:`record` for many files in one manifest write (a run of letters)."""
        if not files:
            return
        for path in files:
            _chmod(path, FILE_MODE)
        with self._locked() as entries:
            for path, numbers in files.items():
                key = self._key(path)
                wanted = {_canonical(n) for n in numbers if str(n).strip()}
                entries[key] = sorted(set(entries.get(key, [])) | wanted)

    def replace_numbers(self, path: Path, numbers: Iterable[str]) -> None:
        """Note that ``path`` now holds exactly these complaints (a file rewritten whole)."""
        wanted = sorted({_canonical(n) for n in numbers if str(n).strip()})
        with self._locked() as entries:
            entries[self._key(path)] = wanted

    def remove(self, path: Path) -> None:
        """Delete a file and its manifest entry."""
        path.unlink(missing_ok=True)
        with self._locked() as entries:
            entries.pop(self._key(path), None)

    def rename(self, source: Path, target: Path) -> None:
        """Move a private file (``os.replace``); its manifest entry follows. The move itself is
        what counts: a manifest that cannot be saved (a full disk) never undoes it."""
        os.replace(source, target)
        with contextlib.suppress(OSError):
            with self._locked() as entries:
                held = entries.pop(self._key(source), None)
                if held is not None:
                    entries[self._key(target)] = held
                else:
                    entries.setdefault(self._key(target), [])

    def discard(self, path: Path) -> None:
        """Like :meth:`remove`, but a manifest that cannot be saved is left for the next run."""
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            with self._locked() as entries:
                entries.pop(self._key(path), None)

    def forget_missing(self) -> None:
        """Drop the entries of files that no longer exist (rotated backups, sent mail)."""
        with self._locked() as entries:
            for key in [k for k in entries if not self._path(k).exists()]:
                del entries[key]

    def entries(self) -> dict[Path, list[str]]:
        return {self._path(k): v for k, v in self._read().items()}

    def files_of(self, numbers: Iterable[str]) -> list[Path]:
        """Every existing file the manifest says holds data of one of these complaints, the
        copies of the whole register (backups, which age out by themselves) left out."""
        wanted = {canonical_number(n) for n in numbers}
        return sorted(p for p, held in self.entries().items()
                      if wanted.intersection(held) and WHOLE_REGISTER not in held and p.is_file())

    def files(self) -> Iterator[Path]:
        """Every file in the private folders but the store's own (manifest, locks, temporaries)."""
        for root in self.roots:
            if not root.is_dir():
                continue
            for path in root.rglob("*"):
                if path.is_file() and not _OWN.match(path.name) and _absolute(path) not in self.registers:
                    yield path

    def tighten(self) -> None:
        """Every private folder 0700 and every file in them 0600 (a backstop after a command, for
        files a library or an older version wrote); new files in the cache are recorded."""
        if self.cache is not None and self.cache.is_dir() and self.manifest_path.is_file():
            known = {_absolute(p) for p in self.entries()}
            new = [p for p in self.cache.rglob("*") if p.is_file() and not _OWN.match(p.name)
                   and _absolute(p) not in known]
            if new:
                with self._locked() as entries:
                    for path in new:
                        entries.setdefault(self._key(path), [])
        for root in self.roots:
            if not root.is_dir():
                continue
            _chmod(root, DIR_MODE)
            for path in root.rglob("*"):
                if path.is_symlink():
                    continue
                _chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)

    def unknown(self) -> list[Path]:
        """Files in the private folders that the manifest does not know."""
        if not self.manifest_path.is_file():
            return []  # not adopted yet: the next run that reads the register does that
        known = {_absolute(p) for p in self.entries()}
        return sorted(p for p in self.files() if _absolute(p) not in known)

    def check(self) -> None:
        """Raise the operating system's error (naming the folder) when a private folder exists
        but cannot serve as one: a file, or a symbolic link that leads nowhere or in a loop."""
        import errno

        for root in self.roots:
            if os.path.lexists(root) and not root.is_dir():
                os.stat(root)  # ELOOP or ENOENT for a link, else it is a file:
                raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(root))

    # -- adoption ----------------------------------------------------------------------------------
    def adopt(self, known_numbers: Iterable[str]) -> str | None:
        """Adopt private folders written before the manifest existed: one Dutch line, or None
        when there was nothing to adopt. Files the manifest does not know yet are added with the
        complaint numbers found in them; every folder becomes 0700, every file 0600."""
        self.check()
        if self.manifest_path.is_file():
            return None
        existing = list(self.files())
        if not existing:  # nothing written before the manifest: start one, silently
            if self.root.is_dir():
                self.ensure_dir(self.root)
                self._save({})
            return None
        finder = NumberFinder(known_numbers)
        for root in self.roots:
            if root.is_dir():
                _chmod(root, DIR_MODE)
                for folder in root.rglob("*"):
                    if folder.is_dir():
                        _chmod(folder, DIR_MODE)
        with self._locked() as entries:
            for path in existing:
                _chmod(path, FILE_MODE)
                whole = "backups" in Path(self._key(path)).parts[:-1]
                entries.setdefault(self._key(path), [WHOLE_REGISTER] if whole else sorted(finder.in_file(path)))
        from .plural import count

        return (f"Privémap overgenomen: {count(len(existing), 'bestand', 'bestanden')} in het manifest "
                f"({self.manifest_path.name}), rechten aangescherpt (mappen 0700, bestanden 0600).")


def open_store(config: Config) -> PrivateStore:
    return PrivateStore(config)


def _canonical(number: str) -> str:
    return WHOLE_REGISTER if number == WHOLE_REGISTER else canonical_number(number)


class NumberFinder:
    """Which of the register's complaint numbers a text or file holds (whole numbers only:
    K2026-01 is not found inside K2026-014)."""

    def __init__(self, numbers: Iterable[str]) -> None:
        import ahocorasick

        self.automaton = ahocorasick.Automaton()
        self.count = 0
        for number in {str(n).strip() for n in numbers if str(n).strip()}:
            for spelling in {number.casefold(), _file_safe(number).casefold()}:
                self.automaton.add_word(spelling, (number, len(spelling)))
                self.count += 1
        if self.count:
            self.automaton.make_automaton()

    def in_text(self, text: str) -> set[str]:
        if not self.count:
            return set()
        found: set[str] = set()
        folded = text.casefold()
        for end, (number, length) in self.automaton.iter(folded):
            start = end - length + 1
            before = folded[start - 1] if start > 0 else " "
            after = folded[end + 1] if end + 1 < len(folded) else " "
            if not before.isalnum() and not after.isalnum():
                found.add(number)
        return found

    def in_file(self, path: Path) -> set[str]:
        """Numbers in a file's name and contents (zip members, PDF text, decoded mail)."""
        from urllib.parse import unquote

        found = self.in_text(unquote(path.name))
        try:
            found |= self.in_text(readable_text(path))
        except OSError:
            pass
        return found


def readable_text(path: Path) -> str:
    """A private file's text as far as it can be read: plain text, mail bodies decoded, zip
    members (recursively) and PDF page text."""
    raw = path.read_bytes()
    return _text_of(path.name, raw)


def _text_of(name: str, raw: bytes, depth: int = 0) -> str:
    suffix = Path(name).suffix.lower()
    if raw[:4] == b"PK\x03\x04" and depth < 3:
        parts: list[str] = []
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                for info in zf.infolist():
                    if not info.is_dir():
                        parts.append(info.filename)
                        parts.append(_text_of(info.filename, zf.read(info), depth + 1))
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            parts.append(raw.decode("utf-8", errors="replace"))
        return "\n".join(parts)
    if raw[:5] == b"%PDF-":
        return _pdf_text(raw)
    text = raw.decode("utf-8", errors="replace")
    if suffix in {".eml", ".sent", ".sending"}:
        from email import policy
        from email.parser import BytesParser

        try:
            message = BytesParser(policy=policy.default).parsebytes(raw)
            pieces = [str(p.get_content()) for p in message.walk() if p.get_content_maintype() == "text"]
            for part in message.walk():
                payload = part.get_payload(decode=True) if part.get_filename() else None
                if isinstance(payload, bytes):
                    pieces.append(_text_of(part.get_filename() or "", payload, depth + 1))
            text += "\n" + "\n".join(pieces)
        except Exception:  # noqa: BLE001 - an unreadable mail is searched as raw text
            pass
    return text


def _pdf_text(raw: bytes) -> str:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(raw))
        pieces = [page.extract_text() or "" for page in reader.pages]
        if reader.metadata:
            pieces += [str(v) for v in reader.metadata.values()]
        return "\n".join(pieces)
    except Exception:  # noqa: BLE001 - a damaged PDF is searched as raw bytes
        return raw.decode("latin-1")


def _file_safe(number: str) -> str:
    """How file names used to spell a number ('K2024/005' -> 'K2024-005')."""
    return re.sub(r"[^0-9A-Za-z-]+", "-", number)


def _absolute(path: Path) -> Path:
    return Path(os.path.abspath(path))


def _fchmod(fd: int) -> None:
    """0600 on an open file, whatever the umask (Windows has no os.fchmod, nor these modes)."""
    if hasattr(os, "fchmod"):
        os.fchmod(fd, FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    with contextlib.suppress(FileNotFoundError):
        if (path.stat().st_mode & 0o777) != mode:
            os.chmod(path, mode)
