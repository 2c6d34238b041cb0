"""The domain errors of klachten. Every message is Dutch: the CLI prints it as it is."""

import errno
import os
from pathlib import Path


class KlachtenError(Exception):
    """Base class: anything the user can fix, reported as one Dutch line."""


class ConfigError(KlachtenError):
    """The config file is missing, unreadable or does not match the declared schema."""


class SourceError(KlachtenError):
    """The register could not be read from (or written to) its source."""


class RegisterError(KlachtenError):
    """The register's structure makes it unusable (e.g. a required column is missing)."""


class LetterError(KlachtenError):
    """A letter cannot be made because the register lacks what it needs."""


class InzageError(KlachtenError):
    """`klachten inzage` found no complaint for the number or e-mail address given."""


class SiteError(KlachtenError):
    """The public site could not be built, or would leak personal data."""


class MailError(KlachtenError):
    """The digest could not be delivered (server down, login refused, recipient rejected)."""


class MailRefused(MailError):
    """The server refused this one message for good (5xx on MAIL FROM, RCPT TO or DATA): retrying won't help."""


class RecipientRefused(MailRefused):
    """The server refused the recipient's address for good (5xx on RCPT TO): only another address helps."""


_OS_ERRORS = {errno.EACCES: "geen toegang (staat het bestand open in een ander programma?)",
              errno.EPERM: "geen toestemming", errno.ENOENT: "bestaat niet", errno.ENOSPC: "de schijf is vol",
              errno.EDQUOT: "de schijfruimte (quotum) is op",
              errno.EROFS: "alleen-lezen bestandssysteem", errno.EISDIR: "is een map, geen bestand",
              errno.ENOTDIR: "is geen map", errno.EEXIST: "bestaat al als bestand; verwacht werd een map",
              errno.ELOOP: "symbolische koppelingen verwijzen in een kring naar elkaar (lus)",
              errno.ENAMETOOLONG: "de naam is te lang", errno.EIO: "leesfout van de schijf",
              errno.ENOTCONN: "de netwerkschijf is niet verbonden", errno.ESTALE: "de netwerkschijf is niet meer bereikbaar"}


def resolved(path: Path) -> Path:
    """``path.resolve()``, but a symlink loop is an OSError (ELOOP) naming the path, as the
    operating system reports it, instead of Python 3.11's RuntimeError."""
    try:
        return path.resolve()
    except RuntimeError:
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None


def damaged_file_message(path: Path | str, exc: BaseException) -> str:
    """A damaged zip container (.xlsx): a bad checksum or compressed data that does not unpack."""
    detail = "controlegetal klopt niet" if "CRC" in str(exc) else "ingepakte gegevens zijn beschadigd"
    return (f"'{path}' is beschadigd ({detail}); zet een back-up terug of open het in een spreadsheetprogramma "
            f"en sla het opnieuw op")


def os_error_message(exc: OSError) -> str:
    """An operating-system error as one Dutch line, naming the file."""
    if exc.errno == errno.EEXIST and exc.filename and os.path.islink(exc.filename):
        try:  # mkdir on a symbolic link that leads nowhere: say why it leads nowhere
            os.stat(exc.filename)
        except OSError as real:
            exc = real
    reason = _OS_ERRORS.get(exc.errno or 0, f"besturingssysteemfout {exc.errno}" if exc.errno else "besturingssysteemfout")
    return f"{exc.filename}: {reason}" if exc.filename else reason
