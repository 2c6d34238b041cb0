"""The domain errors of klachten. Every message is Dutch: the CLI prints it as it is."""


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


class SiteError(KlachtenError):
    """The public site could not be built, or would leak personal data."""


class MailError(KlachtenError):
    """The digest could not be delivered (server down, login refused, recipient rejected)."""
