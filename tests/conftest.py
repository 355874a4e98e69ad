"""Shared fixtures: a fresh working folder with the shipped configuration, its loaded Config, a private file
keyring for every test, and a TLS certificate pair for the mail servers."""

from __future__ import annotations

import ssl
import sys
from pathlib import Path

import keyring
import pytest
import trustme
from keyrings.alt.file import PlaintextKeyring

sys.path.insert(0, str(Path(__file__).parent))  # tests/support

from support.soffice import SOFFICE  # noqa: E402

from ccht_batch.config.load import load_config  # noqa: E402
from ccht_batch.config.workdir import init_workdir  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A working folder made by ``init`` (the shipped defaults), as a clerk would have it."""
    wd = tmp_path / "wd"
    init_workdir(wd)
    return wd


@pytest.fixture
def config(workdir: Path):
    return load_config(workdir)


needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


@pytest.fixture(autouse=True)
def private_keyring(tmp_path_factory) -> PlaintextKeyring:
    """Every test gets an empty keyring of its own (a file backend in a temporary folder): the mail password
    lookup reads the keyring first, and a developer's real keyring must never be read or written."""
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path_factory.mktemp("keyring") / "keyring_pass.cfg")
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def tls(tmp_path):
    """A private CA the test trusts, and a server certificate for 127.0.0.1 signed by it."""
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_ctx)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return server_ctx, ca_file
