"""The domain errors of klachten. Every message is Dutch: the CLI prints it as it is."""

import errno


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
              errno.ENOTDIR: "is geen map", errno.EEXIST: "bestaat al als bestand; verwacht werd een map"}


def os_error_message(exc: OSError) -> str:
    """An operating-system error as one Dutch line, naming the file."""
    reason = _OS_ERRORS.get(exc.errno or 0, f"besturingssysteemfout {exc.errno}" if exc.errno else "besturingssysteemfout")
    return f"{exc.filename}: {reason}" if exc.filename else reason
