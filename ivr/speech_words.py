"""Words a caller may say to the IVR, and what they mean: pure, no speech engine in here.

A :class:`Vocabulary` maps spoken digit words to digits and spoken words or phrases to intents. The grammar
given to the recognizer has one entry per word or phrase (a grammar of one long phrase drags the recognizer
towards that order); what the recognizer heard comes back as a :class:`Heard`, and :func:`digits_from` and
:func:`intent_from` read the digits or the intent out of its words. Words outside the vocabulary, and the
recognizer's ``[unk]``, are ignored."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

UNKNOWN_WORD = "[unk]"  # what a Vosk grammar recognizer says for anything outside its grammar
DIGITS = "0123456789"

MANDARIN_DIGIT_WORDS: Mapping[str, str] = MappingProxyType({
    "零": "0", "〇": "0",
    "一": "1", "幺": "1",
    "二": "2", "两": "2",
    "三": "3", "四": "4", "五": "5", "六": "6",
    "七": "7", "八": "8", "九": "9",
})

def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Vocabulary:
    """``digit_words``: word -> one digit character; ``intent_words``: word or phrase -> intent (or menu key).
    The IVR builds one per question from its menu: the menu's ``digit_words`` and the node's ``say``."""

    digit_words: Mapping[str, str] = field(default_factory=lambda: MANDARIN_DIGIT_WORDS)
    intent_words: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for word, digit in self.digit_words.items():
            if not word.strip() or len(digit) != 1 or digit not in DIGITS:
                raise ValueError(f"digit word {word!r} must map to one digit 0-9, not {digit!r}")
        for phrase, intent in self.intent_words.items():
            if not phrase.strip() or not intent:
                raise ValueError(f"intent phrase {phrase!r} -> {intent!r}: neither may be empty")
        object.__setattr__(self, "digit_words", _frozen(self.digit_words))
        object.__setattr__(self, "intent_words", _frozen(self.intent_words))


MANDARIN = Vocabulary()


@dataclass(frozen=True)
class Heard:
    """What the recognizer heard in one utterance: its words in order (possibly none), their text, and the
    mean word confidence 0-1 when the recognizer gives one."""

    words: tuple[str, ...] = ()
    text: str = ""
    confidence: float | None = None

    @property
    def nothing(self) -> bool:
        return not any(word != UNKNOWN_WORD for word in self.words)


def grammar_for(vocab: Vocabulary, want: Literal["digits", "intent"], extra: Iterable[str] = ()) -> tuple[str, ...]:
    """The recognizer's grammar: one entry per word or phrase, in the vocabulary's order, then ``extra``
    (e.g. the intent words while collecting digits, so "人工" still reaches an agent); no duplicates."""
    words = vocab.digit_words if want == "digits" else vocab.intent_words
    return tuple(dict.fromkeys(entry for entry in (*words, *extra) if entry.strip()))


def digits_from(words: Iterable[str], vocab: Vocabulary = MANDARIN) -> str:
    """The digits said, in order. A word is a digit word, a run of digit words said as one word ("一二"), or
    ASCII digits ("12"); anything else, ``[unk]`` included, is ignored."""
    digits: list[str] = []
    for word in words:
        if word in vocab.digit_words:
            digits.append(vocab.digit_words[word])
        elif word.isascii() and word.isdigit():
            digits.append(word)
        elif word and all(char in vocab.digit_words for char in word):
            digits.extend(vocab.digit_words[char] for char in word)
    return "".join(digits)


def intent_from(words: Iterable[str], vocab: Vocabulary) -> str | None:
    """The intent of the first phrase said (the longest one starting there), or None. A phrase matches words
    said one after another whose letters, joined, are the phrase's without its spaces."""
    phrases = {"".join(phrase.split()): intent for phrase, intent in vocab.intent_words.items()}
    said = [word for word in words if word and word != UNKNOWN_WORD]
    for start in range(len(said)):
        joined, found = "", None
        for word in said[start:]:
            joined += word
            found = phrases.get(joined, found)
        if found is not None:
            return found
    return None
