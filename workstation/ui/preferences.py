"""The desk's remembered choices (QSettings keys and typed accessors): language,
do-not-disturb and the notification sound. Theme and shortcuts keep their own keys
(`theme.KEY`, `shortcuts.SETTINGS_GROUP`)."""

from __future__ import annotations

from typing import Any

LANGUAGE = "ui/language"
DO_NOT_DISTURB = "notifications/do_not_disturb"
SOUND = "notifications/sound"
LANGUAGES = ("zh_CN", "en")


def _bool(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def saved_language(settings: Any) -> str:
    """The language the user picked ("zh_CN" / "en"), or "" (follow the system)."""
    if settings is None:
        return ""
    value = str(settings.value(LANGUAGE, "") or "")
    return value if value in LANGUAGES else ""


def save_language(settings: Any, language: str) -> None:
    if settings is not None and language in LANGUAGES:
        settings.setValue(LANGUAGE, language)
        settings.sync()


def do_not_disturb(settings: Any) -> bool:
    return _bool(settings.value(DO_NOT_DISTURB), False) if settings is not None else False


def sound_on(settings: Any) -> bool:
    return _bool(settings.value(SOUND), True) if settings is not None else True


def save_flag(settings: Any, key: str, value: bool) -> None:
    if settings is not None:
        settings.setValue(key, bool(value))
        settings.sync()
