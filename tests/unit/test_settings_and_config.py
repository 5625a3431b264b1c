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
        "asterisk": {"ami_secret": "a-real-secret", "seats": [{"name": "seat1", "password": "s3cret-seat!"}]}})
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


def test_agent_skills_and_queues_are_parsed_with_clear_errors() -> None:
    from agent_console.users import parse_queues, parse_skills
    from kernel.errors import InvalidInput

    assert parse_skills("billing=4, repair=2") == {"billing": 4, "repair": 2}
    assert parse_skills("") == {}
    assert parse_queues("general, billing,") == ["general", "billing"]
    for bad in ("billing", "billing=9", "=3", "billing=x"):
        with pytest.raises(InvalidInput):
            parse_skills(bad)


def test_queue_settings_are_checked_and_become_the_acd_policy() -> None:
    from config.acd_policy import acd_policy
    from config.settings import Settings

    settings = Settings(acd={"queues": [
        {"name": "general", "overflow": [{"after_seconds": 60, "to_queue": "billing"}]},
        {"name": "billing", "strategy": "skills", "skills": {"billing": 3},
         "relax": [{"after_seconds": 30, "lower_by": 1}], "wrapup_seconds": 20}]})
    policy = acd_policy(settings)
    assert policy.queue("billing").strategy == "skills" and policy.queue("billing").wrapup_seconds == 20
    assert policy.queue("general").wrapup_seconds == settings.acd.wrapup_seconds
    assert policy.overflow_rules("general", emergency=False)[0].to_queue == "billing"
    assert len(policy.emergency_seats) == 35  # the default seats: 15 daily, 35 opened in emergency mode
    with pytest.raises(ValueError, match="overflow to unknown queue"):
        Settings(acd={"queues": [{"name": "general", "overflow": [{"after_seconds": 1, "to_queue": "x"}]}]})
    with pytest.raises(ValueError, match=r"must be one of acd\.queues"):
        Settings(acd={"queue": "billing"})


def test_agi_nodes_list_this_node_first_then_the_failover_hosts(tmp_path: Path) -> None:
    settings = Settings.model_validate(
        {"agi": {"host": "10.0.0.1", "port": 4573, "failover_hosts": ["10.0.0.2:4573", "app3.example:4600"]}})
    dialplan = (render_config(settings, tmp_path).parent / "extensions.conf").read_text()
    assert "\nQQ_AGI_NODES = 10.0.0.1:4573,10.0.0.2:4573,app3.example:4600\n" in dialplan
    hotline = dialplan.split("exten => hotline,1,", 1)[1].split("\nexten => ", 1)[0]
    hold = dialplan.split("exten => wait,1,", 1)[1].split("\nexten => ", 1)[0]
    # both AGIs go through the loop over the nodes, then to the fallback queue if no node answered
    assert "Gosub(qq-agi,agi,1(ivr,${QQ_DIALED}))\n same => n,GotoIf($[\"${AGISTATUS}\" = \"FAILURE\"]?fallback,1)" \
        in hotline
    assert "Gosub(agi,1(hold))\n same => n,GotoIf($[\"${AGISTATUS}\" = \"FAILURE\"]?from-trunk,fallback,1)" in hold
    assert "include => qq-agi" in dialplan.split("[acd-hold]", 1)[1].split("\n[", 1)[0]  # stays in acd-hold
    loop = dialplan.split("[qq-agi]", 1)[1].split("\n[", 1)[0]
    assert "Set(LOCAL(nodes)=${QQ_AGI_NODES})" in loop and "(try),Set(LOCAL(node)=${SHIFT(nodes)})" in loop
    assert "AGI(agi://${node}/${ARG1},${ARG2})" in loop
    assert 'GotoIf($["${AGISTATUS}" = "FAILURE" & "${nodes}" != ""]?try)' in loop  # next node only if unreached
    # an IVR whose node went away mid-dialogue starts again on each node in turn, even after a SUCCESS
    lost = dialplan.split("exten => ivr-lost,1,", 1)[1].split("\nexten => ", 1)[0]
    assert "Set(QQ_RETRY_NODES=${QQ_AGI_NODES})" in lost and "AGI(agi://${SHIFT(QQ_RETRY_NODES)}/ivr" in lost
    assert 'GotoIf($["${QQ_RETRY_NODES}" != ""]?next)' in lost and lost.rstrip().endswith("Goto(fallback,1)")
    assert "AGI(" not in dialplan.replace(loop, "").replace(lost, "")  # no other AGI bypasses the loops


def test_a_single_node_lists_only_itself(tmp_path: Path) -> None:
    dialplan = (render_config(Settings(), tmp_path).parent / "extensions.conf").read_text()
    assert "\nQQ_AGI_NODES = 127.0.0.1:4573\n" in dialplan


@pytest.mark.parametrize("entry", ["10.0.0.2", "10.0.0.2:", ":4573", "10.0.0.2:99999", "a,b:4573", "h st:1",
                                   "10.0.0.2:4573/ivr"])
def test_failover_hosts_must_be_host_and_port(entry: str) -> None:
    with pytest.raises(ValidationError, match="failover_hosts"):
        Settings.model_validate({"agi": {"failover_hosts": [entry]}})


def test_failover_hosts_accept_names_and_ipv6() -> None:
    hosts = ["app2:4573", "[fd00::2]:4573", "192.0.2.7:4574"]
    assert Settings.model_validate({"agi": {"failover_hosts": hosts}}).agi.failover_hosts == hosts


def test_companies_name_known_queues_and_unique_codes() -> None:
    from config.settings import Settings
    queues = {"queues": [{"name": "general"}, {"name": "east_general"}]}
    settings = Settings(acd=queues, companies=[{"code": "east", "name": "东区水务",
                                                "queues": {"general": "east_general"}}])
    assert settings.companies[0].queues == {"general": "east_general"}
    with pytest.raises(ValueError, match=r"both must be acd\.queues"):
        Settings(acd=queues, companies=[{"code": "east", "name": "东区水务", "queues": {"general": "nosuch"}}])
    with pytest.raises(ValueError, match="codes must be unique"):
        Settings(acd=queues, companies=[{"code": "east", "name": "a"}, {"code": "east", "name": "b"}])
