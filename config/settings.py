"""Qingquan's settings: embedded defaults, overridden by a TOML settings file, overridden by the environment.

Environment variables use the prefix ``QINGQUAN_`` and ``__`` between nested names, e.g.
``QINGQUAN_HTTP__PORT=8080`` or ``QINGQUAN_ASTERISK__SIP_PORT=5070``. The settings file is the one named
by ``QINGQUAN_SETTINGS_FILE`` (or ``qingquan --settings FILE``).

Nothing here is created at import time: the composition root calls :func:`load_settings` once.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from acd.hours import week_from
from billing.http_gateway import check_url_template
from config.secrets import DEV_SECRET, is_loopback, production_problems
from work_orders.rules import CATEGORIES, DEFAULT_TIME_LIMIT_HOURS, TimeLimits

log = logging.getLogger(__name__)
_DIALPLAN_UNSAFE = re.compile(r"[\s\"',;^|()\[\]{}$\\]")  # characters a dialplan argument cannot carry as such
_AGI_HOST = re.compile(r"[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]")  # a name, IPv4, or [IPv6]


class SeatSettings(BaseModel):
    """One agent seat: a PJSIP endpoint with digest auth."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    password: str = Field(min_length=4)
    emergency: bool = False  # an emergency seat takes calls only while emergency mode is on


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
    ami_allow_remote: bool = False  # an AMI host that is not loopback: refused in production unless true
    trunk_match: list[str] = Field(default_factory=lambda: ["127.0.0.1"])
    trunk_lines: int = Field(default=120, ge=1)
    hotline_numbers: list[str] = Field(default_factory=lambda: ["96106"])
    trunk_outbound_host: str = "127.0.0.1:5070"  # where callbacks to customers are sent (the carrier)
    ring_seconds: int = Field(default=15, ge=3, le=120)
    seats: list[SeatSettings] = Field(
        default_factory=lambda: [SeatSettings(name=f"seat{n}", password=f"{DEV_SECRET}-{n}", emergency=n > 1015)
                                 for n in range(1001, 1051)]
    )  # 15 seats every day, 35 more opened in emergency mode (Kunming's 96106: 15 -> 50)

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
    # "host:port" of the other app nodes' FastAGI servers: the dialplan tries them in turn, in this order, when
    # this node's cannot be reached (the IVR and the hold announcements run on whichever node is alive)
    failover_hosts: list[str] = Field(default_factory=list)

    @field_validator("failover_hosts")
    @classmethod
    def _host_and_port(cls, hosts: list[str]) -> list[str]:
        for entry in hosts:
            host, _, port = entry.rpartition(":")
            if not _AGI_HOST.fullmatch(host) or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"agi.failover_hosts: {entry!r} must be host:port")
        return hosts


class HttpSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000


class IvrSettings(BaseModel):
    prompt_dir: Path = Path("var/prompts")
    hold_music_dir: Path = Path("var/moh")
    digit_timeout_ms: int = Field(default=5000, ge=1000)
    account_min_digits: int = Field(default=4, ge=1, le=20)
    account_max_digits: int = Field(default=12, ge=4, le=20)
    account_check: Literal["none", "luhn", "mod11"] = "none"  # the account number's last digit (户号校验位)
    # The menu tree (YAML); None: the default menu shipped in ivr/default_menu.yaml. Saved changes reach new calls.
    menu_file: Path | None = None

    # Speech input (Vosk). Unset model directory: the IVR runs DTMF-only. Asterisk records the caller into
    # speech_record_dir and the app reads the file there: with the app on another host, share it at the same path.
    speech_model_dir: Path | None = None
    speech_record_dir: Path = Path("var/speech")
    speech_max_seconds: float = Field(default=6, gt=0, le=60)
    speech_silence_seconds: int = Field(default=2, ge=1, le=10)

    # The post-call survey: when the agent hangs up first, the caller is asked to rate the call 1-5 by keypad.
    survey: bool = True

    @model_validator(mode="after")
    def _account_lengths(self) -> IvrSettings:
        if self.account_min_digits > self.account_max_digits:
            raise ValueError("ivr.account_min_digits must not be more than ivr.account_max_digits")
        return self


class CompanySettings(BaseModel):
    """One water company sharing the hotline number (同城同号). Its accounts carry its code; its callers hear
    its own recordings (ivr.prompt_dir/<code>/NAME.wav, where present) and reach its own queues."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    name: str = Field(min_length=1)
    queues: dict[str, str] = Field(default_factory=dict)  # the menu's queue -> this company's queue


class BillingSettings(BaseModel):
    """Where bills come from: the local database (``qingquan import-accounts``) or the utility's billing system
    over HTTP (``url`` with ``{account}``, e.g. ``https://billing.example/api/accounts/{account}``; see
    billing.http_gateway for the JSON it must answer)."""

    adapter: Literal["local", "http"] = "local"
    url: str = ""
    timeout_seconds: float = Field(default=2.0, gt=0, le=30)  # then the caller hears an apology and an agent
    token: str = ""  # sent as "Authorization: Bearer <token>" when set

    @model_validator(mode="after")
    def _http_needs_a_url(self) -> BillingSettings:
        if self.adapter == "http":
            try:
                check_url_template(self.url)
            except ValueError as exc:
                raise ValueError(f"billing.url (adapter http): {exc}") from None
        return self


class SkillStepSettings(BaseModel):
    after_seconds: float = Field(ge=0)
    lower_by: int = Field(ge=1, le=5)


class OverflowSettings(BaseModel):
    after_seconds: float = Field(ge=0)
    to_queue: str


class QueueSettings(BaseModel):
    """One ACD queue. ``wrapup_seconds`` None takes ``acd.wrapup_seconds``."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")
    strategy: Literal["longest_idle", "fewest_calls", "skills", "ring_all"] = "longest_idle"
    wrapup_seconds: float | None = Field(default=None, ge=0)
    skills: dict[str, int] = Field(default_factory=dict)  # required skill -> minimum level 1-5
    relax: list[SkillStepSettings] = Field(default_factory=list)
    overflow: list[OverflowSettings] = Field(default_factory=list)
    emergency_overflow: list[OverflowSettings] = Field(default_factory=list)
    emergency_only: bool = False
    callback_after_seconds: float | None = Field(default=None, ge=0)  # offer a callback at this estimated wait
    sticky_seconds: float = Field(default=30.0, ge=0)
    default_handle_seconds: float = Field(default=180.0, gt=0)
    # Opening hours in the hotline's timezone: {"mon-fri": ["08:00-18:00"], "sat": ["09:00-12:00"]}; a range
    # may run past midnight ("22:00-02:00"); a day not named is closed; empty: open around the clock.
    hours: dict[str, list[str]] = Field(default_factory=dict)
    holidays: list[date] = Field(default_factory=list)  # closed all day
    workdays: list[date] = Field(default_factory=list)  # make-up working days (调休), with workday_hours' hours
    workday_hours: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    night_service: Literal["message", "callback"] = "message"  # while closed: the next opening, or a callback

    @model_validator(mode="after")
    def _hours_are_valid(self) -> QueueSettings:
        where = f"acd.queues[{self.name}]"
        try:
            week_from(self.hours)
        except ValueError as exc:
            raise ValueError(f"{where}.hours: {exc}") from None
        both = sorted(set(self.holidays) & set(self.workdays))
        if both:
            raise ValueError(f"{where}: {', '.join(map(str, both))} is both a holiday and a make-up working day")
        if self.workdays and not self.hours:
            raise ValueError(f"{where}: workdays need hours (without hours the queue is open every day)")
        return self


class AcdSettings(BaseModel):
    wrapup_seconds: float = Field(default=10.0, ge=0)
    queue: str = "general"  # the default queue: the IVR's agent option and any unknown queue name
    queues: list[QueueSettings] = Field(default_factory=lambda: [QueueSettings(name="general",
                                                                               callback_after_seconds=120)])
    reasons: list[str] = Field(default_factory=lambda: ["break", "meal", "training", "meeting",
                                                        "after_call_work", "missed", "forced"])
    announce_seconds: int = Field(default=30, ge=2, le=600)  # position / wait / callback offer while on hold
    emergency_announcement: bool = True  # in emergency mode, callers hear the emergency notice before the menu
    short_abandon_seconds: float = Field(default=5.0, ge=0)  # abandons quicker than this are reported apart
    lease_ttl_seconds: float = Field(default=3.0, ge=0.5, le=60)  # a dead routing node is replaced after this
    # Owed callbacks this recent survive a restart: 10 days, so one promised by the night service before a
    # long holiday (the October Golden Week closes for 7 days) is still placed when the queue opens again.
    callback_memory_hours: float = Field(default=240.0, gt=0)

    @model_validator(mode="after")
    def _queues_are_consistent(self) -> AcdSettings:
        names = [q.name for q in self.queues]
        if len(set(names)) != len(names):
            raise ValueError("acd.queues: queue names must be unique")
        if self.queue not in names:
            raise ValueError(f"acd.queue {self.queue!r} must be one of acd.queues")
        for queue in self.queues:
            for rule in (*queue.overflow, *queue.emergency_overflow):
                if rule.to_queue not in names:
                    raise ValueError(f"acd.queues[{queue.name}]: overflow to unknown queue {rule.to_queue!r}")
        if "missed" not in self.reasons:
            raise ValueError("acd.reasons must include 'missed' (ring-no-answer sets it)")
        return self


class RecordingSettings(BaseModel):
    """Call recording: every agent-connected call is recorded by Asterisk (MixMonitor) into ``directory``, one
    WAV file per agent leg. Asterisk writes there and the app reads and deletes there: with Asterisk on another
    host, share the directory at the same path on both (see the README)."""

    enabled: bool = True
    directory: Path = Path("var/recordings")
    retention_days: int = Field(default=180, ge=0)  # older files are deleted; 0 keeps them for ever

    @field_validator("directory")
    @classmethod
    def _dialplan_safe(cls, directory: Path) -> Path:
        if _DIALPLAN_UNSAFE.search(str(directory)):
            raise ValueError(f"recordings.directory {str(directory)!r}: the dialplan carries it, so no spaces, "
                             "quotes, commas or ;^|()[]{}$\\ in it")
        return directory


def _default_limits() -> dict[str, float]:
    return {str(category): float(hours) for category, hours in DEFAULT_TIME_LIMIT_HOURS.items()}


class WorkOrderSettings(BaseModel):
    """Work orders (工单): the time limit of each category in hours (an order is due that long after it was
    opened; a category left out keeps its default), and when a closing callback (回访) is due after an order
    starts awaiting it."""

    time_limits: dict[str, float] = Field(default_factory=lambda: _default_limits())
    closing_callback_hours: float = Field(default=24.0, gt=0, le=24 * 90)

    @field_validator("time_limits")
    @classmethod
    def _known_categories(cls, limits: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(limits) - set(CATEGORIES))
        if unknown:
            raise ValueError(f"work_orders.time_limits: unknown categories {', '.join(unknown)} (the categories "
                             f"are {', '.join(CATEGORIES)})")
        for category, hours in limits.items():
            if not 0 < hours <= 24 * 365:
                raise ValueError(f"work_orders.time_limits.{category}: {hours} must be more than 0 and at most "
                                 "8760 hours (a year)")
        return {**_default_limits(), **limits}

    def limits(self) -> TimeLimits:
        return TimeLimits({c: self.time_limits[c] for c in CATEGORIES})


class AuthSettings(BaseModel):
    secret_key: str = DEV_SECRET
    token_minutes: int = Field(default=12 * 60, ge=5)
    login_max_failures: int = Field(default=5, ge=1)  # per username and per client address, in this node
    login_window_seconds: float = Field(default=60.0, gt=0)


class Settings(BaseSettings):
    """Everything configurable, with defaults that run a hotline on one machine."""

    model_config = SettingsConfigDict(
        env_prefix="QINGQUAN_", env_nested_delimiter="__", extra="forbid", toml_file=None
    )

    environment: Literal["development", "production"] = "development"
    var_dir: Path = Path("var")
    database_url: str = ""  # empty: SQLite in var_dir
    redis_url: str = ""  # empty: live state in this process (one node); set: shared by every node
    node_id: str = ""  # this node's name in the routing lease; empty: host-pid-random
    timezone: str = "Asia/Shanghai"
    log_level: str = "INFO"
    asterisk: AsteriskSettings = Field(default_factory=AsteriskSettings)
    agi: AgiSettings = Field(default_factory=AgiSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    ivr: IvrSettings = Field(default_factory=IvrSettings)
    billing: BillingSettings = Field(default_factory=BillingSettings)
    acd: AcdSettings = Field(default_factory=AcdSettings)
    recordings: RecordingSettings = Field(default_factory=RecordingSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    work_orders: WorkOrderSettings = Field(default_factory=WorkOrderSettings)
    companies: list[CompanySettings] = Field(default_factory=list)  # empty: one company

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

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {name!r} is not a known IANA time zone, e.g. Asia/Shanghai") from None
        return name

    @model_validator(mode="after")
    def _refuse_default_secrets_in_production(self) -> Settings:
        """config.secrets says what is refused; in development a remote AMI host is only warned about."""
        if self.environment != "production":
            if not is_loopback(self.asterisk.ami_host) and not self.asterisk.ami_allow_remote:
                log.warning("asterisk.ami_host %s is not loopback: AMI is plain text; production refuses it unless "
                            "asterisk.ami_allow_remote = true", self.asterisk.ami_host)
            return self
        problems = production_problems(self)
        if problems:
            raise ValueError("production refuses default or weak secrets: " + "; ".join(problems))
        return self

    @model_validator(mode="after")
    def _companies_use_known_queues(self) -> Settings:
        queues = {q.name for q in self.acd.queues}
        codes = [c.code for c in self.companies]
        if len(set(codes)) != len(codes):
            raise ValueError("companies: codes must be unique")
        for company in self.companies:
            for menu_queue, own in company.queues.items():
                if menu_queue not in queues or own not in queues:
                    raise ValueError(f"companies[{company.code}].queues: {menu_queue!r} -> {own!r}: both must be "
                                     f"acd.queues ({', '.join(sorted(queues))})")
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
        if self.ivr.menu_file is not None:
            data["ivr"]["menu_file"] = self.ivr.menu_file.resolve()
        data["ivr"]["speech_record_dir"] = self.ivr.speech_record_dir.resolve()
        data["recordings"]["directory"] = self.recordings.directory.resolve()
        if self.ivr.speech_model_dir is not None:
            data["ivr"]["speech_model_dir"] = self.ivr.speech_model_dir.resolve()
        return Settings.model_validate(data)


def load_settings(settings_file: str | Path | None = None, **overrides: Any) -> Settings:
    if settings_file is not None:
        os.environ["QINGQUAN_SETTINGS_FILE"] = str(settings_file)
    return Settings(**overrides).resolved()
