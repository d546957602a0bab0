"""Settings and paths of the desktop client. No Qt here, and nothing is built at import time.

`Settings.from_env()` reads the environment once, when the composition root asks for it:

| variable                     | meaning                                         | default                      |
| ---------------------------- | ----------------------------------------------- | ---------------------------- |
| WORKSTATION_DATA_DIR         | per-user data directory (cache, demo database)  | platformdirs user_data_dir   |
| WORKSTATION_SERVER_URL       | base URL of the central ticket API              | http://127.0.0.1:8765        |
| WORKSTATION_IDLE_LOCK_MINUTES| minutes of inactivity before the session locks  | 15                           |
| WORKSTATION_PAGE_SIZE        | rows fetched per page in big lists              | 200                          |
| WORKSTATION_HTTP_TIMEOUT     | seconds before an API call gives up             | 10                           |
| WORKSTATION_LANGUAGE         | UI language (zh_CN or en); wins over the choice | (Settings ▸ Language, else   |
|                              | saved from the Settings menu                    |  the system locale)          |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

APP_NAME = "workstation"
DEFAULT_SERVER_URL = "http://127.0.0.1:8765"


class ConfigError(ValueError):
    """A setting has a value the client cannot use; the message names the variable."""


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def resources_dir() -> Path:
    """The repository's (or installed tree's) `resources/` directory."""
    return Path(__file__).resolve().parents[1] / "resources"


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: default_data_dir())
    resources_dir: Path = field(default_factory=lambda: resources_dir())
    server_url: str = DEFAULT_SERVER_URL
    idle_lock_minutes: int = 15
    page_size: int = 200
    http_timeout: float = 10.0
    language: str = ""

    def __post_init__(self) -> None:
        if self.idle_lock_minutes < 1:
            raise ConfigError("idle_lock_minutes must be at least 1")
        if self.page_size < 1:
            raise ConfigError("page_size must be at least 1")
        if self.http_timeout <= 0:
            raise ConfigError("http_timeout must be positive")
        if not self.server_url.startswith(("http://", "https://")):
            raise ConfigError(f"server_url must be an http(s) URL, got {self.server_url!r}")

    @property
    def cache_path(self) -> Path:
        """The local SQLite cache of the signed-in user's data."""
        return self.data_dir / "cache.sqlite3"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from environment variables; keyword overrides win over the environment."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        if data_dir := env.get("WORKSTATION_DATA_DIR", "").strip():
            values["data_dir"] = Path(data_dir).expanduser()
        if url := env.get("WORKSTATION_SERVER_URL", "").strip():
            values["server_url"] = url.rstrip("/")
        if lang := env.get("WORKSTATION_LANGUAGE", "").strip():
            values["language"] = lang
        for name, key, conv in (
            ("WORKSTATION_IDLE_LOCK_MINUTES", "idle_lock_minutes", int),
            ("WORKSTATION_PAGE_SIZE", "page_size", int),
            ("WORKSTATION_HTTP_TIMEOUT", "http_timeout", float),
        ):
            raw = env.get(name, "").strip()
            if raw:
                try:
                    values[key] = conv(raw)
                except ValueError:
                    raise ConfigError(f"{name}={raw!r} is not a valid {conv.__name__}") from None
        values.update(overrides)
        try:
            return cls(**values)  # type: ignore[arg-type]
        except ConfigError as exc:
            raise ConfigError(f"bad setting from the environment: {exc}") from None
