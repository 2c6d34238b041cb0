"""SMTP delivery with an outbox: a digest that cannot be delivered is kept and sent next run.

Every network step has a timeout. A message is written to the outbox before it is sent and
removed only after the server accepted it; the day's state file records what was delivered,
so nothing is lost and nothing is sent twice.
"""

from __future__ import annotations

import json
import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from register.config import Config, resolve_secret
from register.errors import MailError


def send(message: EmailMessage, config: Config) -> None:
    """Deliver one message; raise MailError with a Dutch reason."""
    m = config.mail
    user = resolve_secret(m.gebruiker_env, "SMTP-gebruiker", required=False)
    password = resolve_secret(m.wachtwoord_env, "SMTP-wachtwoord", required=bool(user)) if user else None
    where = f"{m.host}:{m.poort}"
    try:
        server: smtplib.SMTP
        if m.beveiliging == "ssl":
            server = smtplib.SMTP_SSL(m.host, m.poort, timeout=m.timeout_seconden,
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(m.host, m.poort, timeout=m.timeout_seconden)
        with server:
            if m.beveiliging == "starttls":
                server.starttls(context=ssl.create_default_context())
            if user:
                server.login(user, password or "")  # a user makes the password required, so it is set
            server.send_message(message)
    except smtplib.SMTPAuthenticationError:
        raise MailError(f"de mailserver {where} weigert de inlog van '{user}'; controleer "
                        f"{m.gebruiker_env} en {m.wachtwoord_env}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        refused = ", ".join(exc.recipients)
        raise MailError(f"de mailserver {where} weigert ontvanger {refused}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(f"de mailserver {where} weigert afzender {exc.sender}") from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(f"de mailserver {where} ondersteunt geen STARTTLS; zet [mail] beveiliging anders") from None
    except TimeoutError:
        raise MailError(f"de mailserver {where} reageert niet binnen {m.timeout_seconden} seconden") from None
    except smtplib.SMTPServerDisconnected as exc:
        if "timed out" in str(exc):  # smtplib wraps a read timeout this way
            raise MailError(f"de mailserver {where} reageert niet binnen {m.timeout_seconden} seconden") from None
        raise MailError(f"de mailserver {where} verbrak de verbinding") from None
    except smtplib.SMTPException as exc:
        raise MailError(f"de mailserver {where} gaf een fout: {exc}") from None
    except ssl.SSLError as exc:
        raise MailError(f"beveiligde verbinding met {where} mislukt: {exc.reason}") from None
    except OSError as exc:
        raise MailError(f"de mailserver {where} is niet bereikbaar ({exc.strerror or exc})") from None


class Outbox:
    """Undelivered messages (one .eml per day and recipient) plus the record of delivered ones."""

    def __init__(self, folder: Path, state_file: Path):
        self.folder = folder
        self.state_file = state_file

    def _state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"verzonden": {}}

    def delivered(self, day: str, recipient: str) -> bool:
        return recipient.lower() in self._state().get("verzonden", {}).get(day, [])

    def record(self, day: str, recipient: str) -> None:
        state = self._state()
        sent = state.setdefault("verzonden", {})
        sent.setdefault(day, [])
        if recipient.lower() not in sent[day]:
            sent[day].append(recipient.lower())
        for old in sorted(sent)[:-60]:  # keep two months of history
            del sent[old]
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(self.state_file)

    def put(self, message: EmailMessage) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        safe = message["To"].replace("@", "_at_").replace("/", "_")
        path = self.folder / f"{message['X-Klachten-Dag']}_{safe}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(message.as_bytes(policy=policy.SMTP))
        tmp.replace(path)
        return path

    def pending(self) -> list[tuple[Path, EmailMessage]]:
        if not self.folder.is_dir():
            return []
        parser = BytesParser(policy=policy.default)
        return [(p, parser.parsebytes(p.read_bytes())) for p in sorted(self.folder.glob("*.eml"))]

    def deliver(self, path: Path, message: EmailMessage, config: Config) -> None:
        """Send a message from the outbox; on success remove it and record the delivery."""
        send(message, config)
        self.record(str(message["X-Klachten-Dag"]), str(message["To"]))
        path.unlink(missing_ok=True)
