"""Mail passwords: never in a configuration file, never printed or logged.

One lookup serves sending (SMTP) and the inbox (IMAP): the operating system's keyring first, where the
Office stores the password once (``ccht-batch mail password``), then the environment variable named in
``settings.yaml``. (The keyring part is the clerk's-desk work; until it lands only the environment is read.)
"""

from __future__ import annotations

from typing import Mapping

KEYRING_SERVICE = "ccht-batch"


def lookup_password(kind: str, user: str, env_name: str, environ: Mapping[str, str]) -> str | None:
    """The password of account ``user`` for ``kind`` (``smtp`` or ``imap``), or None when none is stored."""
    value = environ.get(env_name)
    return value if value else None
