"""Server settings: from CLI flags and WORKSTATION_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True, kw_only=True)
class ServerSettings:
    database_url: str
    policy_path: Path | None = None  # None: the shipped default policy
    access_token_minutes: int = 60
    refresh_token_days: int = 14
    max_body_bytes: int = 1_048_576
    login_max_failures: int = 5
    login_window_minutes: int = 15
    pull_page_max: int = 5000
    webhook_secrets: dict[str, str] = field(default_factory=dict)  # channel -> HMAC secret
    webhook_tolerance_seconds: int = 300
    smtp_listen_host: str | None = None
    smtp_listen_port: int | None = None
    smtp_relay_host: str | None = None
    smtp_relay_port: int = 25
    mail_from: str = "service@workstation.local"
    mail_domain: str = "workstation.local"
    hint_poll_seconds: float = 0.1
    run_workers: bool = True

    @classmethod
    def from_env(cls, *, database_url: str, **overrides: object) -> ServerSettings:
        secrets: dict[str, str] = {}
        default_secret = os.environ.get("WORKSTATION_WEBHOOK_SECRET", "")
        for channel in ("chat", "app", "sms", "social", "live_stream", "web_form", "phone"):
            value = os.environ.get(f"WORKSTATION_WEBHOOK_SECRET_{channel.upper()}", default_secret)
            if value:
                secrets[channel] = value
        policy = os.environ.get("WORKSTATION_POLICY")
        values: dict[str, object] = {
            "database_url": database_url,
            "policy_path": Path(policy) if policy else None,
            "access_token_minutes": _env_int("WORKSTATION_ACCESS_TOKEN_MINUTES", 60),
            "webhook_secrets": secrets,
            "smtp_relay_host": os.environ.get("WORKSTATION_SMTP_RELAY_HOST") or None,
            "smtp_relay_port": _env_int("WORKSTATION_SMTP_RELAY_PORT", 25),
            "mail_from": os.environ.get("WORKSTATION_MAIL_FROM", "service@workstation.local"),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
