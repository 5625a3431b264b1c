"""The user commands on a real (SQLite) database: create, deactivate, reactivate."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from agent_console.models import User
from config.cli import main
from kernel.database import make_engine, make_session_factory


def test_a_user_who_left_is_deactivated_and_can_come_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["create-user", "zhang", "--password", "long-enough-1"]) == 0
    assert main(["deactivate-user", "zhang"]) == 0
    factory = make_session_factory(make_engine(f"sqlite:///{tmp_path / 'var' / 'qingquan.db'}"))
    with factory() as session:
        assert session.scalars(select(User.active).where(User.username == "zhang")).one() is False
    assert main(["deactivate-user", "zhang", "--reactivate"]) == 0
    with factory() as session:
        assert session.scalars(select(User.active).where(User.username == "zhang")).one() is True
    assert main(["deactivate-user", "nobody"]) == 2
    assert "no user nobody" in capsys.readouterr().err
