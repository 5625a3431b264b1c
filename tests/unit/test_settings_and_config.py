"""Settings refuse default secrets in production; Asterisk templates fail loudly on unknown placeholders."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config.settings import Settings
from telephony.asterisk_process import render_config, render_template


def test_development_runs_on_defaults() -> None:
    assert Settings().asterisk.hotline_numbers == ["96106"]


def test_production_refuses_default_secrets() -> None:
    with pytest.raises(ValidationError, match=r"auth\.secret_key"):
        Settings(environment="production")


def test_production_accepts_real_secrets() -> None:
    settings = Settings.model_validate({
        "environment": "production", "auth": {"secret_key": "x" * 40},
        "asterisk": {"ami_secret": "a-real-secret", "seats": [{"name": "seat1", "password": "s3cret!"}]}})
    assert settings.environment == "production"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QINGQUAN_HTTP__PORT", "8088")
    assert Settings().http.port == 8088


def test_hotline_numbers_are_digits() -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate({"asterisk": {"hotline_numbers": ["96106;Hangup"]}})


def test_unknown_placeholder_is_an_error() -> None:
    assert render_template("port={{port}}", {"port": "5060"}) == "port=5060"
    with pytest.raises(KeyError):
        render_template("{{nope}}", {})


def test_render_writes_every_file_with_seats_and_trunk(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {"asterisk": {"seats": [{"name": "seat7", "password": "pw-seat7"}], "trunk_match": ["10.0.0.9"]}})
    conf = render_config(settings, tmp_path)
    etc = conf.parent
    pjsip = (etc / "pjsip.conf").read_text()
    assert "[seat7]" in pjsip and "password = pw-seat7" in pjsip and "match = 10.0.0.9" in pjsip
    assert "{{" not in "".join(p.read_text() for p in etc.glob("*.conf"))
    assert f"astetcdir => {tmp_path}/etc" in conf.read_text()
