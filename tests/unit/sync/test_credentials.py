"""TokenStore over keyring: secure backends store, insecure ones keep the token in memory only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from workstation.sync.credentials import (
    INSECURE_WARNING,
    SERVICE,
    TokenStore,
    account_key,
    is_secure_backend,
)

URL = "https://tickets.example.com/"


class MemoryKeyring(KeyringBackend):
    """A fake OS keyring."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.secrets:
            raise keyring.errors.PasswordDeleteError("not there")
        del self.secrets[(service, username)]


class VanishingKeyring(MemoryKeyring):
    """Looks fine but has no backend when used (e.g. D-Bus without a secret service)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError("no backend")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError("no backend")


class PlaintextKeyring(MemoryKeyring):
    """Named like keyrings.alt's file backend."""


@pytest.fixture
def set_backend() -> Iterator[object]:
    before = keyring.get_keyring()

    def use(backend: KeyringBackend) -> None:
        keyring.set_keyring(backend)

    yield use
    keyring.set_keyring(before)


def test_account_key_is_per_server_and_user() -> None:
    assert account_key(URL, "amy") == "https://tickets.example.com|amy"
    assert account_key(URL, "amy") != account_key(URL, "bob")
    assert account_key(URL, "amy") != account_key("http://other:8765", "amy")


def test_secure_backend_stores_loads_and_clears(set_backend: object) -> None:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    store = TokenStore(URL, "amy")
    assert store.secure and store.warning is None
    store.save("tok-1")
    assert backend.secrets == {(SERVICE, account_key(URL, "amy")): "tok-1"}
    # A new process (a new store) finds it in the keyring.
    assert TokenStore(URL, "amy").load() == "tok-1"
    assert TokenStore(URL, "bob").load() is None
    store.clear()
    assert backend.secrets == {}
    assert store.load() is None
    store.clear()  # clearing twice is fine


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), PlaintextKeyring()],
    ids=["fail", "null", "plaintext-file"],
)
def test_insecure_backends_keep_the_token_in_memory_only(
    backend: KeyringBackend, set_backend: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    keyring.set_keyring(backend)
    store = TokenStore(URL, "amy")
    assert not store.secure
    assert store.warning == INSECURE_WARNING
    store.save("tok-1")
    assert store.load() == "tok-1"
    if isinstance(backend, MemoryKeyring):
        assert backend.secrets == {}  # never handed to a file-backed store
    assert TokenStore(URL, "amy").load() is None  # next session: sign in again
    assert list(tmp_path.rglob("*")) == []  # nothing written anywhere
    store.clear()
    assert store.load() is None


def test_chainer_is_secure_only_with_a_secure_backend_behind_it() -> None:
    class Empty(chainer.ChainerBackend):
        @property
        def backends(self) -> list[KeyringBackend]:  # type: ignore[override]
            return []

    assert not is_secure_backend(Empty())

    class WithOne(chainer.ChainerBackend):
        @property
        def backends(self) -> list[KeyringBackend]:  # type: ignore[override]
            return [fail.Keyring(), MemoryKeyring()]

    class WithNone(chainer.ChainerBackend):
        @property
        def backends(self) -> list[KeyringBackend]:  # type: ignore[override]
            return [fail.Keyring()]

    assert is_secure_backend(WithOne())
    assert not is_secure_backend(WithNone())


def test_no_keyring_error_on_use_falls_back_to_memory(set_backend: object) -> None:
    store = TokenStore(URL, "amy", backend=VanishingKeyring())
    assert store.secure
    store.save("tok-1")
    assert not store.secure
    assert store.warning == INSECURE_WARNING
    assert store.load() == "tok-1"
    store.clear()
    assert store.load() is None


def test_no_keyring_error_on_first_load(set_backend: object) -> None:
    store = TokenStore(URL, "amy", backend=VanishingKeyring())
    assert store.load() is None
    assert not store.secure


def test_a_failing_keyring_never_loses_the_session_token() -> None:
    class Locked(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise keyring.errors.PasswordSetError("locked")

    store = TokenStore(URL, "amy", backend=Locked())
    store.save("tok-1")
    assert store.load() == "tok-1"
