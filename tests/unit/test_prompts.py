"""The prompt catalogue and the generation of placeholder prompts with espeak-ng and sox."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

from ivr import prompts
from ivr.prompts import (
    CATALOGUE,
    Prompt,
    PromptGenerationFailed,
    generate_hold_music,
    generate_prompts,
    missing_prompts,
)
from ivr.say_zh import prompt_names_used
from kernel.errors import QingquanError

needs_tools = pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("sox") is None,
    reason="espeak-ng and sox are required to generate prompts",
)

SUBSET = ["d1", "wan", "welcome"]
IVR_PROMPTS = [
    "welcome", "main-menu", "enter-account", "account-unknown", "bill-intro", "bill-none",
    "due-date-intro", "after-bill", "transfer-agent", "repair-intro", "complaint-intro", "invalid-input",
    "no-input", "goodbye", "lines-busy", "not-in-service", "billing-unavailable",
]  # fmt: skip


def _params(path: Path) -> tuple[int, int, int, float]:
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        return rate, wav.getnchannels(), wav.getsampwidth(), wav.getnframes() / rate


def test_catalogue_covers_say_zh() -> None:
    assert prompt_names_used() <= CATALOGUE.keys()


def test_catalogue_has_ivr_prompts() -> None:
    assert set(IVR_PROMPTS) <= CATALOGUE.keys()


@pytest.mark.parametrize("prompt", list(CATALOGUE.values()), ids=list(CATALOGUE))
def test_catalogue_entries_are_well_formed(prompt: Prompt) -> None:
    assert CATALOGUE[prompt.name] is prompt
    assert prompt.text.strip()
    words = prompt.pinyin.replace(",", " ").replace(".", " ").split()
    assert words
    # tone-numbered syllables (a bare syllable is a neutral tone), ASCII only for the pinyin voice
    assert all(word.isascii() and word.isalnum() and not word[:-1].isdigit() for word in words), words


def test_prompt_is_frozen() -> None:
    with pytest.raises(AttributeError):
        CATALOGUE["welcome"].text = "x"  # type: ignore[misc]


@needs_tools
def test_generate_subset_format(tmp_path: Path) -> None:
    written = generate_prompts(tmp_path, names=SUBSET)
    assert written == [tmp_path / f"{name}.wav" for name in SUBSET]
    for path in written:
        rate, channels, width, seconds = _params(path)
        assert (rate, channels, width) == (8000, 1, 2)
        assert seconds > 0.3
    assert _params(tmp_path / "welcome.wav")[3] > 2.0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.wav" for n in SUBSET)  # no temp files
    assert set(missing_prompts(tmp_path)) == CATALOGUE.keys() - set(SUBSET)


@needs_tools
def test_existing_files_are_kept_unless_forced(tmp_path: Path) -> None:
    recorded = tmp_path / "d1.wav"
    recorded.write_bytes(b"studio recording")
    mtime = recorded.stat().st_mtime_ns

    assert generate_prompts(tmp_path, names=["d1", "d2"]) == [tmp_path / "d2.wav"]
    assert recorded.read_bytes() == b"studio recording"
    assert recorded.stat().st_mtime_ns == mtime

    assert generate_prompts(tmp_path, names=["d1", "d2"], force=True) == [recorded, tmp_path / "d2.wav"]
    assert _params(recorded)[:3] == (8000, 1, 2)


def test_unknown_name_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no-such-prompt"):
        generate_prompts(tmp_path, names=["d1", "no-such-prompt"])


def test_missing_tool_raises_named_error(tmp_path: Path) -> None:
    with pytest.raises(PromptGenerationFailed, match=r"'d1'.*not installed") as info:
        generate_prompts(tmp_path, names=["d1"], espeak=str(tmp_path / "no-espeak"))
    assert isinstance(info.value, QingquanError)
    assert info.value.code == "prompt_generation_failed"
    assert not list(tmp_path.iterdir())


@needs_tools
def test_failing_tool_raises_named_error(tmp_path: Path) -> None:
    with pytest.raises(PromptGenerationFailed, match=r"'wan'.*exited"):
        generate_prompts(tmp_path, names=["wan"], sox=shutil.which("false") or "false")
    assert not list(tmp_path.iterdir())


def test_missing_prompts_all_when_empty(tmp_path: Path) -> None:
    assert missing_prompts(tmp_path) == list(CATALOGUE)


@needs_tools
def test_hold_music(tmp_path: Path) -> None:
    path = generate_hold_music(tmp_path / "moh")
    assert path == tmp_path / "moh" / "hold.wav"
    rate, channels, width, seconds = _params(path)
    assert (rate, channels, width) == (8000, 1, 2)
    assert 18 <= seconds <= 22
    assert seconds == pytest.approx(prompts.HOLD_MUSIC_SECONDS, abs=0.01)

    path.write_bytes(b"licensed music")
    assert generate_hold_music(tmp_path / "moh") == path
    assert path.read_bytes() == b"licensed music"
    generate_hold_music(tmp_path / "moh", force=True)
    assert _params(path)[:3] == (8000, 1, 2)
