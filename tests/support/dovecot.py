"""A real IMAP server for the inbox tests: Dovecot in the foreground on 127.0.0.1, with a throw-away
configuration, one test user (passwd-file) and a Maildir in a temporary folder, stopped after the test.

Dovecot refuses to run its login processes as root: as root, the login and internal processes run as the
package's own users (``dovenull``, ``dovecot``) and the mail as ``dovecot``, in a folder they can reach;
as anyone else, everything runs as the current user. Messages are delivered by IMAP APPEND, as a mail
client would file them, with the arrival time given.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import imaplib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from email import policy
from pathlib import Path
from typing import Iterator

try:
    import grp
    import pwd
except ImportError:  # Windows: no Dovecot either
    grp = pwd = None  # type: ignore[assignment]

import pytest
import trustme

from ccht_batch.mail.imap import mailbox_name

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
needs_dovecot = pytest.mark.skipif(
    DOVECOT is None, reason="Dovecot is not installed (Debian package dovecot-imapd): the inbox tests need a real IMAP server"
)

USER = "vanphong.skhcn@lamdong.gov.vn"
PASSWORD = "Mật-khẩu 2025"  # not ASCII: the login goes as UTF-8 (SASL PLAIN)
PASSWORD_ENV = "CCHT_IMAP_PASSWORD"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    """One Dovecot instance; ``port`` speaks plain IMAP (and STARTTLS with ``tls``), ``ssl_port`` IMAPS."""

    def __init__(self, tls: bool = False):
        self.root = Path(tempfile.mkdtemp(prefix="ccht-dovecot-"))
        self.root.chmod(0o755)  # as root, Dovecot's own users must reach the folder
        self.port = free_port()
        self.ssl_port = free_port() if tls else 0
        self.ca_file: Path | None = None
        self.tls = tls
        self.proc: subprocess.Popen | None = None

    # -- lifecycle

    def start(self) -> "Dovecot":
        root = self.root
        (root / "run").mkdir()
        (root / "state").mkdir()
        mail = root / "mail"
        mail.mkdir()
        if os.geteuid() == 0:
            login, internal, group, mail_user = "dovenull", "dovecot", "dovecot", pwd.getpwnam("dovecot")
            os.chown(mail, mail_user.pw_uid, mail_user.pw_gid)
            uid, gid, first_uid = mail_user.pw_uid, mail_user.pw_gid, 1
        else:
            login = internal = pwd.getpwuid(os.getuid()).pw_name
            group = grp.getgrgid(os.getgid()).gr_name
            uid, gid, first_uid = os.getuid(), os.getgid(), min(os.getuid(), 500)
        (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
        ssl_lines = "ssl = no\n"
        if self.tls:
            ca = trustme.CA()
            cert = ca.issue_cert("127.0.0.1", "localhost")
            cert.private_key_and_cert_chain_pem.write_to_path(str(root / "server.pem"))
            ca.cert_pem.write_to_path(str(root / "ca.pem"))
            self.ca_file = root / "ca.pem"
            (root / "server.pem").chmod(0o644)
            ssl_lines = f"ssl = yes\nssl_cert = <{root / 'server.pem'}\nssl_key = <{root / 'server.pem'}\n"
        (root / "dovecot.conf").write_text(
            f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {root / 'run'}
state_dir = {root / 'state'}
instance_name = ccht-test-{self.port}
log_path = {root / 'dovecot.log'}
{ssl_lines}disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = {first_uid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root / 'users'}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.ssl_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
""",
            encoding="utf-8",
        )
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while True:
            try:
                imaplib.IMAP4("127.0.0.1", self.port, timeout=5).shutdown()
                break
            except (OSError, imaplib.IMAP4.error):
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"Dovecot did not start: {self.log()[-2000:]}") from None
                time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    # -- the test's own client

    @contextlib.contextmanager
    def client(self) -> Iterator[imaplib.IMAP4]:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.authenticate("PLAIN", lambda _: b"\0" + USER.encode() + b"\0" + PASSWORD.encode())
        try:
            yield imap
        finally:
            imap.logout()

    def deliver(self, raw: bytes, when: dt.datetime, folder: str = "INBOX") -> None:
        """File ``raw`` in ``folder`` as arrived at ``when`` (as the mail server's delivery would)."""
        with self.client() as imap:
            typ, data = imap.append(quoted(folder), None, when.astimezone(), raw)
            assert typ == "OK", data

    def messages(self, folder: str = "INBOX") -> list[bytes]:
        """Every message in ``folder`` (none when it does not exist), oldest first."""
        with self.client() as imap:
            typ, _ = imap.select(quoted(folder), readonly=True)
            if typ != "OK":
                return []
            _, data = imap.uid("SEARCH", "ALL")
            uids = data[0].split()
            out = []
            for uid in uids:
                _, got = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                out.append(next(x[1] for x in got if isinstance(x, tuple)))
            return out

    def subjects(self, folder: str = "INBOX") -> list[str]:
        return [str(email.message_from_bytes(m, policy=policy.default)["Subject"]) for m in self.messages(folder)]

    def env(self, security: str = "none", port: int | None = None) -> dict[str, str]:
        """The environment that points the program at this server, as a deployment would."""
        env = {
            "CCHT_IMAP_HOST": "127.0.0.1",
            "CCHT_IMAP_PORT": str(port or (self.ssl_port if security == "ssl" else self.port)),
            "CCHT_IMAP_SECURITY": security,
            "CCHT_IMAP_USER": USER,
            PASSWORD_ENV: PASSWORD,
        }
        if self.ca_file is not None:
            env["CCHT_IMAP_CA_FILE"] = str(self.ca_file)
        return env


def quoted(folder: str) -> str:
    return mailbox_name(folder)


@contextlib.contextmanager
def dovecot(tls: bool = False) -> Iterator[Dovecot]:
    server = Dovecot(tls=tls)
    try:
        yield server.start()
    finally:
        server.stop()
