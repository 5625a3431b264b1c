"""Production never runs on default, empty or short secrets, nor with AMI off loopback without an opt-in: start-up
(the settings, and so `qingquan run`) refuses, naming every setting at fault."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from config.cli import main
from config.secrets import is_loopback, url_password, weakness
from config.settings import Settings
from telephony.asterisk_process import render_config

GOOD: dict[str, Any] = {
    "environment": "production", "auth": {"secret_key": "k" * 40},
    "database_url": "postgresql://qingquan:a-long-db-password@10.0.0.5/qingquan",
    "redis_url": "redis://:a-long-redis-password@10.0.0.6:6379/0",
    "asterisk": {"ami_secret": "ami-secret-of-length", "seats": [{"name": "seat1001", "password": "seat-password"}]},
}


def production(**changes: Any) -> Settings:
    data = {**GOOD, **changes}
    data["asterisk"] = {**GOOD["asterisk"], **changes.get("asterisk", {})}
    return Settings.model_validate(data)


def test_real_secrets_start() -> None:
    assert production().environment == "production"


def test_the_defaults_are_refused_each_by_name() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(environment="production")
    message = str(refused.value)
    for name in ("auth.secret_key is a development default", "asterisk.ami_secret is a development default",
                 "asterisk.seats[seat1001].password is a development default"):
        assert name in message


@pytest.mark.parametrize("changes, named", [
    ({"auth": {"secret_key": ""}}, "auth.secret_key is empty"),
    ({"auth": {"secret_key": "short-but-not-default"}}, "auth.secret_key is shorter than 32"),
    ({"auth": {"secret_key": "CHANGE-ME" + "x" * 40}}, "auth.secret_key is a development default"),
    ({"asterisk": {"ami_secret": ""}}, "asterisk.ami_secret is empty"),
    ({"asterisk": {"ami_secret": "amp111"}}, "asterisk.ami_secret is a development default"),
    ({"asterisk": {"ami_secret": "elevenchars"}}, "asterisk.ami_secret is shorter than 12"),
    ({"asterisk": {"seats": [{"name": "seat1001", "password": "qingquan-demo"}]}}, "seats[seat1001].password"),
    ({"database_url": "postgresql://qingquan:postgres@db/qingquan"}, "database_url (its password) is a develop"),
    ({"database_url": "postgresql://qingquan:@db/qingquan"}, "database_url (its password) is empty"),
    ({"database_url": "postgresql://qingquan:short@db/qingquan"}, "database_url (its password) is shorter"),
    ({"redis_url": "redis://:change-me@redis:6379/0"}, "redis_url (its password) is a development default"),
    ({"asterisk": {"ami_host": "192.0.2.10"}}, "asterisk.ami_host 192.0.2.10 is not loopback"),
])
def test_each_weak_setting_is_refused_by_name(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationError, match=named.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        production(**changes)


def test_a_url_without_a_password_and_an_opted_in_remote_ami_are_accepted() -> None:
    assert production(database_url="postgresql:///qingquan", redis_url="").database_url.endswith("/qingquan")
    assert production(asterisk={"ami_host": "10.0.0.7", "ami_allow_remote": True}).asterisk.ami_host == "10.0.0.7"


def test_development_only_warns_about_a_remote_ami(caplog: pytest.LogCaptureFixture) -> None:
    assert Settings.model_validate({"asterisk": {"ami_host": "192.0.2.10"}}).asterisk.ami_host == "192.0.2.10"
    assert "not loopback" in caplog.text


def test_the_helpers() -> None:
    assert weakness("x" * 12, 12) is None and weakness("Password", 4) == "a development default"
    assert url_password("postgresql://u:p%40ss@h/d") == "p@ss" and url_password("sqlite:///x.db") is None
    assert url_password("redis://[bad") is None
    assert all(map(is_loopback, ("127.0.0.1", "127.8.0.1", "::1", "[::1]", "localhost")))
    assert not any(map(is_loopback, ("0.0.0.0", "10.0.0.1", "asterisk.example", "")))


def test_start_up_refuses_with_the_names_on_stderr(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("QINGQUAN_ENVIRONMENT", "production")
    monkeypatch.delenv("QINGQUAN_SETTINGS_FILE", raising=False)
    assert main(["run"]) == 2
    error = capsys.readouterr().err
    assert "invalid settings" in error and "auth.secret_key" in error and "asterisk.ami_secret" in error


def test_production_create_user_refuses_a_weak_password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("QINGQUAN_ENVIRONMENT", "production")
    monkeypatch.setenv("QINGQUAN_AUTH__SECRET_KEY", "k" * 40)
    monkeypatch.setenv("QINGQUAN_ASTERISK__AMI_SECRET", "ami-secret-of-length")
    monkeypatch.setenv("QINGQUAN_ASTERISK__SEATS", '[{"name": "seat1001", "password": "seat-password"}]')
    monkeypatch.setenv("QINGQUAN_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("QINGQUAN_SETTINGS_FILE", raising=False)
    for password in ("qingquan-demo", "change-me-please", "admin", "short-pw"):
        assert main(["create-user", "root", "--role", "admin", "--password", password]) == 2
        assert "production refuses a password" in capsys.readouterr().err
    assert not (tmp_path / "qingquan.db").exists()  # refused before the database was touched


def test_the_ami_template_listens_and_logs_in_on_loopback_only(tmp_path: Path) -> None:
    conf = (render_config(Settings(), tmp_path).parent / "manager.conf").read_text()
    assert "bindaddr = 127.0.0.1" in conf
    assert "deny = 0.0.0.0/0.0.0.0" in conf and "permit = 127.0.0.0/255.0.0.0" in conf
    assert conf.count("permit") == 1
