"""The menu file: read once at start-up, re-read when saved, and a broken save keeps the previous menu."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from config.cli import main
from ivr.menu_source import MenuSource, read_menu_document
from ivr.menu_tree import MenuInvalid, parse_menu

SMALL = """
start: main
nodes:
  main: {type: menu, prompts: [main-menu], options: {"0": agent}, default: agent}
  agent: {type: queue, prompts: [transfer-agent]}
"""


def write(path: Path, text: str, bump: int) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump * 1_000_000_000))  # a distinct mtime


def test_the_default_menu_is_valid() -> None:
    tree = parse_menu(read_menu_document(None), queues=["general"])
    assert tree.start == "main" and {"main", "bill", "agent", "goodbye"} <= set(tree.nodes)


def test_a_saved_file_reaches_new_calls_and_calls_in_progress_keep_theirs(tmp_path: Path) -> None:
    path = tmp_path / "menu.yaml"
    write(path, SMALL, 0)
    source = MenuSource(path, parse_menu)
    first = source.current()
    assert set(first.nodes) == {"main", "agent"}
    write(path, SMALL.replace('{"0": agent}', '{"0": agent, "9": agent}'), 1)
    second = source.current()
    assert second.node("main").options == {"0": "agent", "9": "agent"}
    assert first.node("main").options == {"0": "agent"}  # the tree a call holds never changes under it
    assert source.current() is second  # unchanged file: not re-read


def test_a_broken_save_keeps_the_previous_menu_and_says_why(tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "menu.yaml"
    write(path, SMALL, 0)
    source = MenuSource(path, parse_menu)
    good = source.current()
    write(path, SMALL.replace("default: agent", "default: nowhere"), 1)
    with caplog.at_level(logging.ERROR):
        assert source.current() is good
    assert "'nowhere' is not a node" in caplog.text and "previous menu stays" in caplog.text
    write(path, "start: [unclosed", 2)
    assert source.current() is good
    path.unlink()
    assert source.current() is good


def test_a_broken_menu_at_start_up_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "menu.yaml"
    path.write_text("nodes: {}\n", encoding="utf-8")
    with pytest.raises(MenuInvalid):
        MenuSource(path, parse_menu)
    with pytest.raises(MenuInvalid, match="cannot be read"):
        MenuSource(tmp_path / "missing.yaml", parse_menu)


def test_check_menu_reports_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(SMALL, encoding="utf-8")
    bad.write_text(SMALL.replace("type: queue", "type: queue, queue: nosuch").replace("[main-menu]", "[../x]"),
                   encoding="utf-8")
    assert main(["check-menu", str(good)]) == 0
    out = capsys.readouterr().out
    assert "2 nodes, start 'main': valid" in out and "prompts not yet in" in out
    assert main(["check-menu", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "2 problem(s)" in err and "'nosuch' is not an ACD queue" in err and "prompt names" in err
