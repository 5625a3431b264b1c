"""Qingquan's settings: embedded defaults, overridden by a TOML settings file, overridden by the environment.

Environment variables use the prefix ``QINGQUAN_`` and ``__`` between nested names, e.g.
``QINGQUAN_HTTP__PORT=8080`` or ``QINGQUAN_ASTERISK__SIP_PORT=5070``. The settings file is the one named
by ``QINGQUAN_SETTINGS_FILE`` (or ``qingquan --settings FILE``).

Nothing here is created at import time: the composition root calls :func:`load_settings` once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEV_SECRET = "change-me"


class SeatSettings(BaseModel):
    """One agent seat: a PJSIP endpoint with digest auth."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    password: str = Field(min_length=4)


class AsteriskSettings(BaseModel):
    manage: bool = True  # start and stop a private Asterisk from the repo's asterisk/ configuration
    binary: str = "/usr/sbin/asterisk"
    module_dir: str = "/usr/lib/asterisk/modules"
    data_dir: str = "/usr/share/asterisk"
    run_dir: Path = Path("var/asterisk")
    sip_host: str = "127.0.0.1"
    sip_port: int = 5060
    rtp_start: int = 30000
    rtp_end: int = 31999
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_username: str = "qingquan"
    ami_secret: str = DEV_SECRET
    trunk_match: list[str] = Field(default_factory=lambda: ["127.0.0.1"])
    trunk_lines: int = Field(default=120, ge=1)
    hotline_numbers: list[str] = Field(default_factory=lambda: ["96106"])
    ring_seconds: int = Field(default=15, ge=3, le=120)
    seats: list[SeatSettings] = Field(
        default_factory=lambda: [SeatSettings(name=f"seat{n}", password=f"{DEV_SECRET}-{n}") for n in
                                 range(1001, 1016)]
    )

    @field_validator("hotline_numbers")
    @classmethod
    def _digits_only(cls, numbers: list[str]) -> list[str]:
        for number in numbers:
            if not number.isdigit():
                raise ValueError(f"hotline number {number!r} must be digits only")
        return numbers


class AgiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 4573
    header_timeout: float = 5.0  # a FastAGI client that sends no headers in this time is dropped


class HttpSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000


class IvrSettings(BaseModel):
    prompt_dir: Path = Path("var/prompts")
    hold_music_dir: Path = Path("var/moh")
    digit_timeout_ms: int = Field(default=5000, ge=1000)
    account_max_digits: int = Field(default=12, ge=4, le=20)
    account_tries: int = Field(default=3, ge=1, le=5)
    menu_tries: int = Field(default=3, ge=1, le=5)


class AcdSettings(BaseModel):
    wrapup_seconds: float = Field(default=10.0, ge=0)
    queue: str = "general"
    short_abandon_seconds: float = Field(default=5.0, ge=0)


class AuthSettings(BaseModel):
    secret_key: str = DEV_SECRET
    token_minutes: int = Field(default=12 * 60, ge=5)


class Settings(BaseSettings):
    """Everything configurable, with defaults that run a hotline on one machine."""

    model_config = SettingsConfigDict(
        env_prefix="QINGQUAN_", env_nested_delimiter="__", extra="forbid", toml_file=None
    )

    environment: Literal["development", "production"] = "development"
    var_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite in var_dir
    redis_url: str = ""  # empty: live state in this process
    timezone: str = "Asia/Shanghai"
    log_level: str = "INFO"
    asterisk: AsteriskSettings = Field(default_factory=AsteriskSettings)
    agi: AgiSettings = Field(default_factory=AgiSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    ivr: IvrSettings = Field(default_factory=IvrSettings)
    acd: AcdSettings = Field(default_factory=AcdSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        settings_file = os.environ.get("QINGQUAN_SETTINGS_FILE")
        if settings_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(settings_file)))
        return tuple(sources)

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        weak = []
        if DEV_SECRET in self.auth.secret_key or len(self.auth.secret_key) < 32:
            weak.append("auth.secret_key (at least 32 characters)")
        if DEV_SECRET in self.asterisk.ami_secret:
            weak.append("asterisk.ami_secret")
        weak += [f"asterisk.seats[{s.name}].password" for s in self.asterisk.seats if DEV_SECRET in s.password]
        if weak:
            raise ValueError("production refuses default or weak secrets: " + ", ".join(weak))
        return self

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.var_dir / 'qingquan.db').resolve()}"

    def resolved(self) -> Settings:
        """Relative paths become absolute against the current directory, once, at start-up."""
        data: dict[str, Any] = self.model_dump()
        data["var_dir"] = self.var_dir.resolve()
        data["asterisk"]["run_dir"] = self.asterisk.run_dir.resolve()
        data["ivr"]["prompt_dir"] = self.ivr.prompt_dir.resolve()
        data["ivr"]["hold_music_dir"] = self.ivr.hold_music_dir.resolve()
        return Settings.model_validate(data)


def load_settings(settings_file: str | Path | None = None, **overrides: Any) -> Settings:
    if settings_file is not None:
        os.environ["QINGQUAN_SETTINGS_FILE"] = str(settings_file)
    return Settings(**overrides).resolved()
