"""Several secrets per account (refresh token, unlock verifier) and forgetting them at logout."""

from __future__ import annotations

import pytest
from keyring.backends import fail

from tests.unit.sync.test_credentials import MemoryKeyring
from workstation.sync.credentials import (
    SERVICE,
    TOKEN,
    UNLOCK,
    TokenStore,
    account_key,
    forget_account,
)

URL = "https://tickets.example.com/"


def test_purposes_are_separate_entries_and_the_token_key_is_unchanged() -> None:
    assert account_key(URL, "amy", TOKEN) == account_key(URL, "amy") == "https://tickets.example.com|amy"
    assert account_key(URL, "amy", UNLOCK) == "https://tickets.example.com|amy#unlock"
    backend = MemoryKeyring()
    TokenStore(URL, "amy", backend=backend).save("refresh-1")
    TokenStore(URL, "amy", backend=backend, purpose=UNLOCK).save("scrypt$…")
    assert backend.secrets[(SERVICE, "https://tickets.example.com|amy")] == "refresh-1"
    assert backend.secrets[(SERVICE, "https://tickets.example.com|amy#unlock")] == "scrypt$…"
    with pytest.raises(ValueError):
        TokenStore(URL, "amy", backend=backend, purpose="password")


def test_forget_account_removes_every_secret_of_that_account_only() -> None:
    backend = MemoryKeyring()
    for user in ("amy", "bob"):
        TokenStore(URL, user, backend=backend).save(f"t-{user}")
        TokenStore(URL, user, backend=backend, purpose=UNLOCK).save(f"v-{user}")
    forget_account(URL, "amy", backend=backend)
    assert sorted(k for _s, k in backend.secrets) == ["https://tickets.example.com|bob",
                                                      "https://tickets.example.com|bob#unlock"]
    forget_account(URL, "amy", backend=backend)  # nothing left: no error


def test_forget_account_without_a_keyring_is_harmless() -> None:
    forget_account(URL, "amy", backend=fail.Keyring())
