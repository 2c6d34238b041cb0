"""SMTP delivery through an outbox that cannot jam or repeat.

The outbox folder holds one file per day and recipient, named ``<day>_<recipient>`` (the stem):

``<stem>.eml``
    queued: no server has accepted it yet; the next run sends it, addressed by the *current*
    config (a corrected address or sender unjams the queue).
``<stem>.sending``
    write-ahead mark: renamed from ``.eml`` just before DATA. An exception puts it back; only a
    crash leaves it, and then it counts as delivered (one lost digest beats two copies).
``<stem>.sent``
    renamed from ``.sending`` right after the server's 250, before the state file is written.
``geweigerd/``
    messages refused for good (5xx on MAIL FROM, RCPT TO or DATA), with a ``.reden`` file;
    the next digest reports them once (then the reason file becomes ``.gemeld``).

Renames need no free space, so the decisive marks still work on a full disk: a message the
server accepted is never sent again, even when the state file cannot be saved. The whole SMTP
session has one deadline (``[mail] timeout_seconden``), enforced by a watchdog that shuts the
socket, so a server trickling continuation lines cannot hold the run. Callers hold the private
folder lock (register.locks.private_lock), so only one run works on the outbox at a time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import quote, unquote

from register.config import Config, resolve_secret
from register.errors import MailError, MailRefused, RecipientRefused

#: Header naming whom a digest is for: the klachtverantwoordelijke or a behandelaar's name.
ROLE_HEADER = "X-Klachten-Voor"
MAIN_ROLE = "klachtverantwoordelijke"
DAY_HEADER = "X-Klachten-Dag"


def reply_text(code: int, response: bytes | str) -> str:
    """An SMTP reply as '550: 5.1.1 Mailbox unavailable' (decoded, one line, bounded)."""
    text = response.decode("utf-8", "replace") if isinstance(response, bytes) else str(response)
    text = " ".join(text.split())
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{code}: {text}" if text else str(code)


class _Watchdog:
    """Shuts the session's socket when the deadline passes, whatever the server is doing."""

    def __init__(self, server: smtplib.SMTP, seconds: float):
        self.server = server
        self.expired = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, args=(seconds,), daemon=True)
        self._thread.start()

    def _watch(self, seconds: float) -> None:
        if self._done.wait(seconds):
            return
        self.expired = True
        while True:  # repeat: the socket may only now be appearing (connect in progress)
            sock = getattr(self.server, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
            if self._done.wait(0.05):
                return

    def stop(self) -> None:
        self._done.set()
        self._thread.join(1)


def send(message: EmailMessage, config: Config, before_data: Callable[[], None] = lambda: None,
         accepted: Callable[[], None] = lambda: None) -> None:
    """Deliver one message within ``[mail] timeout_seconden`` for the whole session.

    ``before_data`` runs once the server has accepted sender and recipient, just before DATA
    (the write-ahead mark); ``accepted`` runs right after the 250 for DATA. What QUIT answers
    after that does not matter: the message is delivered. Raises MailRefused for a permanent
    refusal of this message, MailError (Dutch reason) for anything else.
    """
    m = config.mail
    if not m.host:
        raise MailError("geen mailserver ingesteld: vul [mail] host in (klachten config toont wat ontbreekt)")
    user = resolve_secret(m.gebruiker_env, "SMTP-gebruiker", required=False)
    password = resolve_secret(m.wachtwoord_env, "SMTP-wachtwoord", required=bool(user)) if user else None
    where = f"{m.host}:{m.poort}"
    too_slow = f"de mailserver {where} reageert niet binnen {m.timeout_seconden} seconden"
    if m.beveiliging == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(timeout=m.timeout_seconden, context=ssl.create_default_context())
    else:
        server = smtplib.SMTP(timeout=m.timeout_seconden)
    watchdog = _Watchdog(server, m.timeout_seconden)
    delivered = False
    try:
        code, response = server.connect(m.host, m.poort)
        if code != 220:
            raise MailError(f"de mailserver {where} weigert de verbinding ({reply_text(code, response)})")
        server.ehlo_or_helo_if_needed()
        if m.beveiliging == "starttls":
            server.starttls(context=ssl.create_default_context())
            server.ehlo_or_helo_if_needed()
        if user:
            server.login(user, password or "")  # a user makes the password required, so it is set
        sender, recipient = parseaddr(str(message["From"]))[1], parseaddr(str(message["To"]))[1]
        code, response = server.mail(sender)
        if code != 250:
            _refused(code, response, f"de mailserver {where} weigert afzender {sender}")
        code, response = server.rcpt(recipient)
        if code not in (250, 251):
            _refused(code, response, f"de mailserver {where} weigert ontvanger {recipient}", RecipientRefused)
        try:
            before_data()
        except OSError as exc:
            from register.errors import os_error_message

            raise MailError(f"mail niet verstuurd: {os_error_message(exc)}") from None
        code, response = server.data(message.as_bytes(policy=policy.SMTP))
        if code != 250:
            _refused(code, response, f"de mailserver {where} weigert de mail")
        delivered = True
        with contextlib.suppress(Exception):
            accepted()
    except (MailError, OSError, smtplib.SMTPException) as exc:
        if isinstance(exc, MailError) and not watchdog.expired:
            raise
        raise _explain(exc, where, too_slow, user, m, watchdog.expired) from None
    finally:
        if delivered:  # a 421 (or silence) on QUIT changes nothing: the server has the message
            with contextlib.suppress(Exception):
                server.quit()
        with contextlib.suppress(Exception):
            server.close()
        watchdog.stop()


#: 5xx replies about the session (log in first), not about this message: the mail stays queued.
_SESSION_CODES = {530, 534, 535, 538}


def _refused(code: int, response: bytes, what: str, refusal: type[MailRefused] = MailRefused) -> None:
    if code in _SESSION_CODES:
        raise MailError(f"{what}: de server vraagt eerst een geldige inlog ({reply_text(code, response)}); "
                        f"controleer [mail] gebruiker_env en wachtwoord_env")
    if 500 <= code < 600:
        raise refusal(f"{what} ({reply_text(code, response)})")
    raise MailError(f"{what} voorlopig ({reply_text(code, response)}); de volgende run probeert het opnieuw")


def _explain(exc: BaseException, where: str, too_slow: str, user, m, expired: bool) -> MailError:
    """Any failure of the session as one Dutch MailError (no raw bytes, no class names)."""
    if expired or isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return MailError(too_slow)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailError(f"de mailserver {where} weigert de inlog van '{user}' "
                         f"({reply_text(exc.smtp_code, exc.smtp_error)}); controleer "
                         f"{m.gebruiker_env} en {m.wachtwoord_env}")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return MailError(f"de mailserver {where} ondersteunt geen STARTTLS; zet [mail] beveiliging anders")
    if isinstance(exc, smtplib.SMTPDataError) and 500 <= exc.smtp_code < 600:
        return MailRefused(f"de mailserver {where} weigert de mail ({reply_text(exc.smtp_code, exc.smtp_error)})")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return MailError(f"de mailserver {where} verbrak de verbinding")
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailError(f"de mailserver {where} gaf een fout ({reply_text(exc.smtp_code, exc.smtp_error)})")
    if isinstance(exc, smtplib.SMTPException):
        return MailError(f"de mailserver {where} gaf een onverwacht antwoord")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return MailError(f"beveiligde verbinding met {where} mislukt: het certificaat van de server is niet "
                         f"geldig of hoort niet bij {m.host}")
    if isinstance(exc, ssl.SSLError):
        return MailError(f"beveiligde verbinding met {where} mislukt (de server spreekt geen passende "
                         f"versleuteling; controleer [mail] beveiliging en poort)")
    if isinstance(exc, ConnectionRefusedError):
        return MailError(f"de mailserver {where} is niet bereikbaar (verbinding geweigerd)")
    if isinstance(exc, socket.gaierror):
        return MailError(f"de mailserver {where} is niet bereikbaar (onbekende servernaam)")
    if isinstance(exc, OSError):
        return MailError(f"de mailserver {where} is niet bereikbaar (netwerkfout {exc.errno or ''})".replace(" )", ")"))
    return MailError(f"de mailserver {where} gaf een fout")


def _stem(day: str, recipient: str) -> str:
    """'2026-03-27_t.tester@x.example': reversible (percent-encoded), so a mark names its recipient."""
    return f"{day}_{quote(recipient.strip().lower(), safe='@.+-_')}"


def _parse_stem(name: str) -> tuple[str, str]:
    stem = name.rsplit(".", 1)[0]
    day, _, recipient = stem.partition("_")
    return day, unquote(recipient)


@dataclass
class Refusal:
    """A message set aside because the server refused it for good."""

    day: str
    recipient: str
    reason: str
    path: Path


@dataclass
class Delivery:
    """What happened to one message that the server accepted."""

    recipient: str
    day: str
    note: str = ""  # set when the state file could not be saved (the .sent mark holds the fact)


class Outbox:
    """Queued messages, the write-ahead marks, refused messages and the record of delivered ones."""

    def __init__(self, folder: Path, state_file: Path):
        from register.store import PrivateStore

        self.folder = folder
        self.state_file = state_file
        self.refused_dir = folder / "geweigerd"
        #: Every file here goes through the private store (0600, in the manifest).
        self.store = PrivateStore.at(state_file.parent)

    # -- the record of delivered messages -------------------------------------------------------
    def _state(self) -> dict:
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
            return state if isinstance(state, dict) else {"verzonden": {}}
        except (OSError, ValueError):
            return {"verzonden": {}}

    def delivered(self, day: str, recipient: str) -> bool:
        """Sent today already: in the state file, or marked by a .sent/.sending file."""
        if recipient.lower() in self._state().get("verzonden", {}).get(day, []):
            return True
        stem = _stem(day, recipient)
        return (self.folder / f"{stem}.sent").exists() or (self.folder / f"{stem}.sending").exists()

    def _record(self, day: str, recipient: str) -> None:
        state = self._state()
        sent = state.setdefault("verzonden", {})
        sent.setdefault(day, [])
        if recipient.lower() not in sent[day]:
            sent[day].append(recipient.lower())
        for old in sorted(sent)[:-60]:  # keep two months of history
            del sent[old]
        # Days and the owner's recipients only: no complaint's data.
        self.store.write(self.state_file, json.dumps(state, indent=1, sort_keys=True).encode("utf-8"), [])

    def _settle_sent(self, mark: Path, day: str, recipient: str) -> str:
        """Record a .sent mark in the state file and drop the mark; '' or why it stays."""
        from register.errors import os_error_message

        try:
            self._record(day, recipient)
        except OSError as exc:
            return (f"status niet opgeslagen ({os_error_message(exc)}); {mark.name} onthoudt dat deze mail "
                    f"is verstuurd")
        with contextlib.suppress(OSError):
            self.store.discard(mark)
        return ""

    def settle(self) -> list[str]:
        """Tidy what an earlier run left: leftover temporary files, interrupted sends (counted as
        delivered), .sent marks not yet in the state file. Returns Dutch notes for the report."""
        notes: list[str] = []
        if not self.folder.is_dir():
            return notes
        leftovers = [*self.folder.glob(".*.tmp"), *self.state_file.parent.glob(f".{self.state_file.name}.*.tmp")]
        for tmp in leftovers:  # from a killed run (we hold the lock: no other run is writing)
            with contextlib.suppress(OSError):
                tmp.unlink()
        for mark in sorted(self.folder.glob("*.sending")):
            target = mark.with_suffix(".sent")
            try:
                self.store.rename(mark, target)
            except OSError:
                continue  # still counts as delivered as .sending
            day, recipient = _parse_stem(target.name)
            notes.append(f"de mail van {day} aan {recipient} werd tijdens het versturen onderbroken; "
                         f"niet opnieuw verstuurd om geen tweede exemplaar te sturen")
        for mark in sorted(self.folder.glob("*.sent")):
            day, recipient = _parse_stem(mark.name)
            if recipient:
                note = self._settle_sent(mark, day, recipient)
                if note:
                    notes.append(note)
        return notes

    # -- the queue ------------------------------------------------------------------------------
    def put(self, message: EmailMessage, numbers: Iterable[str] = ()) -> Path:
        """Queue a message (whole or not at all) that holds data of the complaints ``numbers``;
        raises OSError, e.g. on a full disk."""
        path = self.folder / f"{_stem(str(message[DAY_HEADER]), str(message['To']))}.eml"
        self.store.write(path, message.as_bytes(policy=policy.SMTP), numbers)
        return path

    def pending(self) -> list[tuple[Path, EmailMessage]]:
        if not self.folder.is_dir():
            return []
        parser = BytesParser(policy=policy.default)
        found = []
        for path in sorted(self.folder.glob("*.eml")):
            try:
                found.append((path, parser.parsebytes(path.read_bytes())))
            except OSError:
                continue
        return found

    def readdress(self, path: Path, message: EmailMessage, config: Config) -> Path | None:
        """Address a queued message by the current config (recipient for its role, sender);
        rename it to its new stem. None when that recipient already has this day's mail."""
        from generator.mail.digest import sender_for

        role = str(message[ROLE_HEADER] or "")
        recipient = str(message["To"])
        if role == MAIN_ROLE and config.klachtbehandeling.email:
            recipient = config.klachtbehandeling.email
        elif role and role in config.mail.behandelaars:
            recipient = config.mail.behandelaars[role]
        for name, value in (("To", recipient), ("From", sender_for(config))):
            if value and str(message[name]) != value:
                del message[name]
                message[name] = value
        day = str(message[DAY_HEADER])
        if self.delivered(day, recipient):
            with contextlib.suppress(OSError):
                self.store.discard(path)
            return None
        target = self.folder / f"{_stem(day, recipient)}.eml"
        if target != path:
            self.store.rename(path, target)  # a newer queued copy for the same day and recipient gives way
        return target

    def deliver(self, path: Path | None, message: EmailMessage, config: Config) -> Delivery:
        """Send a queued message (``path``), or, when it could not be queued (full disk), send it
        directly with an empty write-ahead mark. Raises MailRefused (the message is then set
        aside) or MailError (it stays queued)."""
        day, recipient = str(message[DAY_HEADER]), str(message["To"])
        self.store.ensure_dir(self.folder)
        stem = _stem(day, recipient)
        sending = self.folder / f"{stem}.sending"
        sent = self.folder / f"{stem}.sent"

        def before_data() -> None:
            if path is not None:
                self.store.rename(path, sending)
            else:  # an empty file needs no data blocks: possible on a full disk
                os.close(os.open(sending, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))

        def accepted() -> None:
            self.store.rename(sending, sent)

        try:
            send(message, config, before_data, accepted)
        except MailError as exc:
            if sending.exists():  # not accepted: undo the write-ahead mark
                if path is not None:
                    self.store.rename(sending, path)
                else:
                    self.store.discard(sending)
            if isinstance(exc, MailRefused) and path is not None:
                self._set_aside(path, day, recipient, str(exc))
            raise
        mark = sent if sent.exists() else sending
        return Delivery(recipient, day, self._settle_sent(mark, day, recipient))

    # -- refused messages -----------------------------------------------------------------------
    def _set_aside(self, path: Path, day: str, recipient: str, reason: str) -> None:
        self.store.ensure_dir(self.refused_dir)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        target = self.refused_dir / f"{path.stem}~{stamp}.eml"
        self.store.rename(path, target)
        with contextlib.suppress(OSError):  # without it the digest still reports the refusal
            self.store.write(target.with_suffix(".reden"),
                             json.dumps({"dag": day, "aan": recipient, "reden": reason}).encode("utf-8"), [])

    def refusals(self) -> list[Refusal]:
        """Refused messages not yet reported in a delivered digest, oldest first."""
        if not self.refused_dir.is_dir():
            return []
        found = []
        for path in sorted(self.refused_dir.glob("*.eml")):
            if path.with_suffix(".gemeld").exists():
                continue
            try:
                info = json.loads(path.with_suffix(".reden").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                day, recipient = _parse_stem(path.name.rsplit("~", 1)[0])
                info = {"dag": day, "aan": recipient, "reden": "geweigerd door de mailserver"}
            found.append(Refusal(str(info.get("dag", "")), str(info.get("aan", "")), str(info.get("reden", "")),
                                 path))
        return found

    def mark_reported(self, refusals: list[Refusal]) -> None:
        for refusal in refusals:
            reason, reported = refusal.path.with_suffix(".reden"), refusal.path.with_suffix(".gemeld")
            with contextlib.suppress(OSError):
                if reason.exists():
                    self.store.rename(reason, reported)
                else:
                    self.store.write(reported, b"", [])
