"""Real SMTP servers on 127.0.0.1 for the mail tests (aiosmtpd), plus a server that hangs."""

from __future__ import annotations

import asyncio
import socket
import threading
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Keeps every message the server accepted; can reject chosen recipients, answer DATA slowly or
    with another reply (the message is then not kept) or answer QUIT with another reply."""

    def __init__(self, reject: set[str] = frozenset(), data_reply: str | None = None, quit_reply: str | None = None,
                 data_delay: float = 0.0):
        self.messages = []
        self.data_delay = data_delay
        self.reject = {r.lower() for r in reject}
        self.data_reply = data_reply
        self.quit_reply = quit_reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_delay:  # a slow server: keeps a sender inside its session for a while
            await asyncio.sleep(self.data_delay)
        if self.data_reply:
            return self.data_reply
        self.messages.append(envelope)
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        return self.quit_reply or "221 Bye"


@contextmanager
def smtp_server(reject: set[str] = frozenset(), users: dict[str, str] | None = None, **replies):
    handler = Recorder(reject, **replies)
    port = free_port()
    kwargs = {}
    if users is not None:
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and \
                users.get(auth_data.login.decode()) == auth_data.password.decode()
            return AuthResult(success=ok, handled=False)

        kwargs = {"authenticator": authenticator, "auth_require_tls": False, "auth_required": True,
                  "auth_exclude_mechanism": ["CRAM-MD5"]}
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@contextmanager
def hanging_server():
    """Accepts connections and never says a word (no SMTP greeting)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    stop = threading.Event()
    conns = []

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conns.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        for c in conns:
            c.close()
        listener.close()


@contextmanager
def tarpit_server(interval: float = 0.5, lifetime: float = 20.0):
    """A "tarpit": greets with a '220-' continuation line every ``interval`` seconds and never
    finishes the greeting; each connection is closed after ``lifetime`` seconds (so a client
    without a session deadline is not stuck forever, only far too long)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    stop = threading.Event()

    def trickle(conn):
        with conn:
            for _ in range(int(lifetime / interval)):
                try:
                    conn.sendall(b"220-tarpit.example welkom, een ogenblik geduld\r\n")
                except OSError:
                    return
                if stop.wait(interval):
                    return

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn = listener.accept()[0]
            except OSError:
                continue
            threading.Thread(target=trickle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        listener.close()
