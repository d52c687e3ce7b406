"""Mail test fixtures: a real SMTP server (aiosmtpd) and a real IMAP server (dovecot)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Recorder:
    """An SMTP server's mailbox. `drop_after_data` messages are accepted (stored, as a real
    MTA would queue them) and then the connection is dropped before the reply is sent."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], Any]] = []
        self.drop_after_data = 0
        self.refuse_with = ""
        # Hold the DATA of the n-th message (1-based) until `release` is set, then refuse
        # it: the sender died before the server accepted it.
        self.hold_at = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_with:
            return self.refuse_with
        self.count += 1
        if self.count == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.4.2 connection lost before the message was accepted"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), parsed))
        if self.drop_after_data > 0:
            self.drop_after_data -= 1
            server.transport.close()
        return "250 OK queued"

    def by_recipient(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for rcpts, msg in self.received:
            for r in rcpts:
                out.setdefault(r, []).append(str(msg["Message-ID"]))
        return out


@pytest.fixture
def smtp_server(settings: Any) -> Any:
    from aiosmtpd.controller import Controller

    recorder = Recorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    recorder.port = port  # type: ignore[attr-defined]
    yield recorder
    controller.stop()


DOVECOT_CONF = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={user} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
first_valid_uid = 1
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@pytest.fixture(scope="session")
def dovecot() -> Any:
    """A real IMAP server (Debian's dovecot, installed by .ci/run), one per test session."""
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        # The issue requires a real IMAP peer: a missing server is a setup fault to fix, not
        # a reason to pass quietly (the browser tests treat Chromium the same way).
        pytest.fail("dovecot is not installed: run apt-get install dovecot-imapd (.ci/run does)")
    # Not under pytest's temporary root: that is private to root (0700) and dovecot's own
    # unprivileged users must read their files.
    root = Path(tempfile.mkdtemp(prefix="sladesk-dovecot-"))
    root.chmod(0o755)
    user = "dovenull"
    port = free_port()
    (root / "passwd").write_text("helpdesk@example.test:{PLAIN}imap-secret\n")
    home = root / "home"
    home.mkdir()
    shutil.chown(home, user, user)
    conf = root / "dovecot.conf"
    conf.write_text(DOVECOT_CONF.format(root=root, user=user, port=port))
    subprocess.run([binary, "-c", str(conf)], check=True)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    yield {
        "host": "127.0.0.1",
        "port": port,
        "user": "helpdesk@example.test",
        "password": "imap-secret",
    }
    subprocess.run([binary, "-c", str(conf), "stop"], check=False)
    shutil.rmtree(root, ignore_errors=True)
