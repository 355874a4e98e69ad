"""Mail passwords: never in a configuration file, never printed or logged.

One lookup serves sending (SMTP) and the inbox (IMAP): the operating system's keyring first, where the
Office stores the password once (``ccht-batch mail password``: Windows Credential Manager on Windows, the
Secret Service on a Linux desktop), then the environment variable named in ``settings.yaml``.

A password is stored per mail account (service ``ccht-batch``, user name = the account), so one account used
both to send and to read the inbox is stored once. A keyring that cannot be read (none on this machine, a
locked or broken backend) is the same as an empty one: the environment variable is still looked at.
"""

from __future__ import annotations

from typing import Mapping

import keyring
import keyring.errors

from ccht_batch.core.errors import CannotRun

KEYRING_SERVICE = "ccht-batch"

NO_KEYRING = (
    "máy tính này không có kho mật khẩu của hệ điều hành mà chương trình dùng được ({reason}). "
    "Hãy đặt mật khẩu vào biến môi trường ghi ở mail.password_env (xem HUONG-DAN.md, mục 3.6)"
)


def lookup_password(kind: str, user: str, env_name: str, environ: Mapping[str, str]) -> str | None:
    """The password of account ``user`` for ``kind`` (``smtp`` or ``imap``), or None when none is stored."""
    value = keyring_password(user)
    if value:
        return value
    value = environ.get(env_name)
    return value if value else None


def keyring_password(user: str) -> str | None:
    """The password stored for ``user`` in the system keyring, or None (also when there is no usable keyring)."""
    try:
        return keyring.get_password(KEYRING_SERVICE, user) or None
    except Exception:  # any backend failure (none installed, locked, D-Bus gone): fall back to the environment
        return None


def store_password(user: str, password: str) -> str:
    """Store ``password`` for ``user`` in the system keyring; returns the keyring's name for the clerk.

    Raises ``CannotRun`` when no keyring can store it (the message says to use the environment variable)."""
    backend = keyring.get_keyring()
    try:
        backend.set_password(KEYRING_SERVICE, user, password)
    except Exception as exc:  # NoKeyringError, a locked Secret Service, a refused write...
        raise CannotRun("Không lưu được mật khẩu: " + NO_KEYRING.format(reason=_reason(exc))) from None
    return keyring_name(backend)


def delete_password(user: str) -> bool:
    """Remove the password stored for ``user``; False when there was none."""
    try:
        keyring.delete_password(KEYRING_SERVICE, user)
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as exc:
        raise CannotRun("Không xóa được mật khẩu: " + NO_KEYRING.format(reason=_reason(exc))) from None
    return True


def keyring_name(backend: object | None = None) -> str:
    """The keyring in use, as the clerk knows it."""
    backend = backend or keyring.get_keyring()
    module = type(backend).__module__
    if module.endswith(".Windows") or "Windows" in type(backend).__name__:
        return "Windows Credential Manager (Trình quản lý thông tin xác thực)"
    if module.endswith(".SecretService") or module.endswith(".libsecret"):
        return "Secret Service của hệ điều hành"
    if module.endswith(".macOS"):
        return "Keychain của macOS"
    return f"kho mật khẩu {type(backend).__module__}.{type(backend).__name__}"


def _reason(exc: Exception) -> str:
    return type(exc).__name__  # the name only: a backend's own text is English and may be long
