"""Recording settings and the rendered dialplan: every leg that reaches an agent is recorded by qq-record (a
seat, a ring-all group, a queue callback's customer leg, the fallback queue), and nothing else. Dialled legs are
armed before they ring (Dial's b option), so the recording never depends on the answered leg's routine."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from config.settings import Settings
from telephony.asterisk_process import render_config


def dialplan_of(settings: Settings, run_dir: Path) -> str:
    return (render_config(settings, run_dir).parent / "extensions.conf").read_text()


def section(dialplan: str, name: str) -> str:
    return dialplan.split(f"\n[{name}]\n", 1)[1].split("\n[", 1)[0]


def test_recording_defaults_and_the_directory_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert (settings.recordings.enabled, settings.recordings.retention_days) == (True, 180)
    assert settings.resolved().recordings.directory == tmp_path / "var" / "recordings"
    with pytest.raises(ValidationError, match="retention_days"):
        Settings.model_validate({"recordings": {"retention_days": -1}})


def test_recording_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QINGQUAN_RECORDINGS__RETENTION_DAYS", "30")
    monkeypatch.setenv("QINGQUAN_RECORDINGS__DIRECTORY", "/srv/qq/recordings")
    monkeypatch.delenv("QINGQUAN_SETTINGS_FILE", raising=False)
    settings = Settings()
    assert settings.recordings.retention_days == 30
    assert settings.recordings.directory == Path("/srv/qq/recordings")


def test_the_globals_say_whether_and_where_to_record(tmp_path: Path) -> None:
    on = dialplan_of(Settings.model_validate({"recordings": {"directory": "/srv/qq/rec"}}), tmp_path / "a")
    assert "\nQQ_RECORD = 1\nQQ_RECORDING_DIR = /srv/qq/rec\n" in on
    off = dialplan_of(Settings.model_validate({"recordings": {"enabled": False}}), tmp_path / "b")
    assert "\nQQ_RECORD = 0\n" in off
    assert section(off, "qq-record").startswith("; ")  # the subroutine stays; it checks QQ_RECORD first
    assert "exten => arm,1,GotoIf($[${QQ_RECORD}]?:done)" in section(off, "qq-record")


def test_every_agent_leg_is_armed_before_it_rings_and_told_on_answer(tmp_path: Path) -> None:
    dialplan = dialplan_of(Settings(), tmp_path)
    connect = section(dialplan, "acd-connect")
    armed = "b(qq-record^arm^1)U(qq-recorded)"
    assert "exten => ring-group,1,Dial(${QQ_RING_GROUP},${QQ_RING_SECONDS},g" + armed + ")" in connect
    assert "exten => _[a-z].,1,Dial(PJSIP/${EXTEN},${QQ_RING_SECONDS},g" + armed + ")" in connect
    for context in ("acd-callback", "acd-outbound"):  # the customer leg, for the agent's seat
        assert ",60,b(qq-record^arm^1(${CHANNEL(endpoint)}))U(qq-recorded))" in section(dialplan, context)
    assert "Queue(qq-fallback,t,,,600,,,qq-record)" in section(dialplan, "from-trunk")  # arms and tells at once
    # MixMonitor runs only in qq-record: never on the caller's channel in the IVR or on hold
    record = section(dialplan, "qq-record")
    assert dialplan.count("MixMonitor(") == record.count("MixMonitor(") == 1
    assert "TryExec(MixMonitor(${file},b,find ${file} -maxdepth 0 -size -45c -delete))" in record  # no empty files
    told = section(dialplan, "qq-recorded")  # the answered leg's routine only tells, in its first steps
    assert "UserEvent(QingquanRecording,File: ${QQ_RECORDING_FILE},Seat: ${QQ_RECORDING_SEAT})" in told
    assert "MixMonitor" not in told and "AGI" not in told
    assert "${QQ_RECORDING_DIR}/${day}/${CHANNEL(linkedid)}-${UNIQUEID}-${tag:0:24}.wav" in record
    assert "qq-record" not in section(dialplan, "acd-hold") + section(dialplan, "from-seats")


def test_the_modules_the_file_name_needs_are_loaded(tmp_path: Path) -> None:
    modules = (render_config(Settings(), tmp_path).parent / "modules.conf").read_text()
    for module in ("app_mixmonitor", "app_exec", "app_stack", "app_userevent", "func_rand", "func_sha1",
                   "func_strings", "func_channel", "format_wav"):
        assert f"load = {module}.so" in modules


@pytest.mark.parametrize("directory", ["/srv/my recordings", "/srv/rec,x", "/srv/rec;x", "/srv/${HOME}",
                                       "/srv/(rec)", "/srv/rec'"])
def test_a_directory_the_dialplan_cannot_carry_is_refused(directory: str) -> None:
    with pytest.raises(ValidationError, match=r"recordings\.directory"):
        Settings.model_validate({"recordings": {"directory": directory}})
