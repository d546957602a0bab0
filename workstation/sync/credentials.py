"""API tokens in the OS keyring (ARCHITECTURE.md, "Security defaults").

`TokenStore` keeps one secret per server URL + user name under the service "workstation".
When the OS offers no secure keyring (headless Linux: keyring's ``fail`` backend, a chainer
with nothing behind it, the ``null`` backend, a plain-text file backend, or a
``NoKeyringError`` on use), the store says so — ``secure`` is False and ``warning`` holds a
sentence for the UI — and keeps the token in this process's memory only. Nothing is ever
written to a file by this module.
"""

from __future__ import annotations

import logging
import threading

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail

log = logging.getLogger("workstation.sync.credentials")

SERVICE = "workstation"

INSECURE_WARNING = (
    "No secure password store (OS keyring) is available on this computer. "
    "You stay signed in for this session only and will have to sign in again next time."
)


TOKEN = "token"
UNLOCK = "unlock"
"""The salted scrypt verifier of the password, so a session restored from its refresh token
can still be unlocked (idle lock) offline; never the password itself."""
PURPOSES = (TOKEN, UNLOCK)


def account_key(server_url: str, username: str, purpose: str = TOKEN) -> str:
    """The keyring "username" of one account: the server URL and the user name (plus the
    purpose, for secrets other than the refresh token)."""
    key = f"{server_url.rstrip('/')}|{username}"
    return key if purpose == TOKEN else f"{key}#{purpose}"


def _is_plaintext(backend: KeyringBackend) -> bool:
    cls = type(backend)
    name = f"{cls.__module__}.{cls.__qualname__}".lower()
    # keyrings.alt's file backends write secrets to a file in the home directory.
    return "plaintext" in name or "keyrings.alt.file" in name or name.startswith("keyring.backends.null")


def is_secure_backend(backend: KeyringBackend) -> bool:
    """False for backends that cannot keep a secret safely (or at all)."""
    if isinstance(backend, fail.Keyring) or _is_plaintext(backend):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(is_secure_backend(b) for b in backend.backends)
    return True


class TokenStore:
    """The token of one account (server URL + user name); thread-safe."""

    def __init__(
        self,
        server_url: str,
        username: str,
        *,
        backend: KeyringBackend | None = None,
        purpose: str = TOKEN,
    ) -> None:
        if purpose not in PURPOSES:
            raise ValueError(f"unknown secret purpose {purpose!r}")
        self.service = SERVICE
        self.key = account_key(server_url, username, purpose)
        self._backend = backend if backend is not None else keyring.get_keyring()
        self._secure = is_secure_backend(self._backend)
        self._memory: str | None = None
        self._lock = threading.Lock()
        if not self._secure:
            log.warning("no secure keyring backend (%r): the token is kept in memory only", self._backend)

    @property
    def secure(self) -> bool:
        """True while tokens go to the OS keyring."""
        return self._secure

    @property
    def warning(self) -> str | None:
        """A sentence for the UI when there is no secure store, else None."""
        return None if self._secure else INSECURE_WARNING

    def _fall_back(self, exc: Exception) -> None:
        log.warning("the keyring failed (%s): keeping the token in memory only", exc)
        self._secure = False

    def save(self, token: str) -> None:
        with self._lock:
            self._memory = token
            if not self._secure:
                return
            try:
                self._backend.set_password(self.service, self.key, token)
            except keyring.errors.NoKeyringError as exc:
                self._fall_back(exc)
            except keyring.errors.KeyringError as exc:
                # Locked or refusing keyring: never fall back to a file; memory only.
                log.warning("could not store the token in the keyring: %s", exc)

    def load(self) -> str | None:
        with self._lock:
            if self._memory is not None or not self._secure:
                return self._memory
            try:
                token = self._backend.get_password(self.service, self.key)
            except keyring.errors.NoKeyringError as exc:
                self._fall_back(exc)
                return None
            except keyring.errors.KeyringError as exc:
                log.warning("could not read the token from the keyring: %s", exc)
                return None
            self._memory = token
            return token

    def clear(self) -> None:
        """Forget the token (logout): memory and keyring."""
        with self._lock:
            self._memory = None
            if not self._secure:
                return
            try:
                self._backend.delete_password(self.service, self.key)
            except keyring.errors.PasswordDeleteError:
                pass  # nothing stored
            except keyring.errors.NoKeyringError as exc:
                self._fall_back(exc)
            except keyring.errors.KeyringError as exc:
                log.warning("could not remove the token from the keyring: %s", exc)


def forget_account(server_url: str, username: str, *, backend: KeyringBackend | None = None) -> None:
    """Logout: remove every secret kept for this account (refresh token, unlock verifier)."""
    for purpose in PURPOSES:
        TokenStore(server_url, username, backend=backend, purpose=purpose).clear()
