"""Settings: defaults, environment overrides, validation; nothing is built at import time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from workstation import config
from workstation.config import ConfigError, Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(config, "default_data_dir", lambda: Path("/tmp/ws-default"))
    settings = Settings.from_env({})
    assert settings.data_dir == Path("/tmp/ws-default")
    assert settings.server_url == config.DEFAULT_SERVER_URL
    assert settings.idle_lock_minutes == 15
    assert settings.cache_path == Path("/tmp/ws-default/cache.sqlite3")


def test_default_data_dir_is_the_platform_user_data_dir() -> None:
    from platformdirs import user_data_dir

    assert config.default_data_dir() == Path(user_data_dir("workstation", appauthor=False))


def test_resources_dir_is_the_repositorys() -> None:
    assert (
        Settings(data_dir=Path("/x")).resources_dir
        == Path(__file__).resolve().parents[2] / "resources"
    )


def test_environment_overrides(tmp_path: Path) -> None:
    env = {
        "WORKSTATION_DATA_DIR": str(tmp_path / "data"),
        "WORKSTATION_SERVER_URL": "https://tickets.example.cn/",
        "WORKSTATION_IDLE_LOCK_MINUTES": "5",
        "WORKSTATION_PAGE_SIZE": "500",
        "WORKSTATION_HTTP_TIMEOUT": "2.5",
        "WORKSTATION_LANGUAGE": "zh_CN",
    }
    settings = Settings.from_env(env)
    assert settings.data_dir == tmp_path / "data"
    assert settings.server_url == "https://tickets.example.cn"
    assert (settings.idle_lock_minutes, settings.page_size, settings.http_timeout) == (5, 500, 2.5)
    assert settings.language == "zh_CN"


def test_keyword_overrides_win(tmp_path: Path) -> None:
    settings = Settings.from_env({"WORKSTATION_DATA_DIR": "/elsewhere"}, data_dir=tmp_path)
    assert settings.data_dir == tmp_path


def test_keyword_only_and_frozen() -> None:
    with pytest.raises(TypeError):
        Settings(Path("/x"))  # type: ignore[misc]
    settings = Settings(data_dir=Path("/x"))
    with pytest.raises(AttributeError):
        settings.page_size = 3  # type: ignore[misc]
    assert settings.with_(page_size=3).page_size == 3


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WORKSTATION_IDLE_LOCK_MINUTES", "soon"),
        ("WORKSTATION_IDLE_LOCK_MINUTES", "0"),
        ("WORKSTATION_PAGE_SIZE", "-1"),
        ("WORKSTATION_HTTP_TIMEOUT", "0"),
        ("WORKSTATION_SERVER_URL", "ftp://x"),
    ],
)
def test_bad_values_fail_naming_the_setting(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({name: value, "WORKSTATION_DATA_DIR": "/x"})
    message = str(info.value)
    assert name in message or name.removeprefix("WORKSTATION_").lower() in message


def test_nothing_built_at_import_time() -> None:
    """Module level holds only imports, constants, functions and classes."""
    tree = ast.parse(Path(config.__file__).read_text(encoding="utf-8"))
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Expr, ast.Assign)
    for node in tree.body:
        assert isinstance(node, allowed), ast.dump(node)
        if isinstance(node, ast.Assign):
            assert isinstance(node.value, ast.Constant), ast.unparse(node)


def test_config_has_no_qt() -> None:
    source = Path(config.__file__).read_text(encoding="utf-8")
    assert "PySide6" not in source
