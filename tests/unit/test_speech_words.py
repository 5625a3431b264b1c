"""Spoken words to digits and intents: grammars one entry per word, digits only ever digits, unknown words and
``[unk]`` ignored, intent phrases matched across the recognizer's word boundaries; and the parsing of Vosk's
result JSON into what was heard."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ivr.speech import heard_from
from ivr.speech_words import (
    MANDARIN_DIGIT_WORDS,
    UNKNOWN_WORD,
    Heard,
    Vocabulary,
    digits_from,
    grammar_for,
    intent_from,
)

MANDARIN = Vocabulary()

MENU = Vocabulary(intent_words={"查 水费": "bill", "水费": "bill", "报修": "repair", "投诉": "complaint",
                                "人工": "agent", "人工 服务": "agent", "转 人工": "agent"})
KOREAN = Vocabulary(
    digit_words={"영": "0", "공": "0", "일": "1", "이": "2", "삼": "3", "사": "4", "오": "5", "육": "6", "칠": "7",
                 "팔": "8", "구": "9"},
    intent_words={"요금": "bill", "수리": "repair", "상담원": "agent", "요금 조회": "bill"},
)


def test_the_mandarin_digit_grammar_has_one_entry_per_word_and_every_digit() -> None:
    grammar = grammar_for(MANDARIN, "digits")
    assert len(grammar) == len(set(grammar)) == len(MANDARIN_DIGIT_WORDS)
    assert all(" " not in entry for entry in grammar)
    assert {MANDARIN.digit_words[word] for word in grammar} == set("0123456789")
    assert {"幺", "两", "零"} <= set(grammar)


def test_extra_entries_follow_the_vocabulary_without_duplicates() -> None:
    grammar = grammar_for(MANDARIN, "digits", extra=("人工", "一", " "))
    assert grammar[-1] == "人工"
    assert grammar.count("一") == 1 and " " not in grammar


def test_the_intent_grammar_is_the_intent_phrases() -> None:
    assert grammar_for(KOREAN, "intent") == ("요금", "수리", "상담원", "요금 조회")
    assert grammar_for(MANDARIN, "intent") == ()  # the menu's nodes say which phrases they take


@pytest.mark.parametrize(("words", "digits"), [
    (("幺", "三", "八", "零", "零", "两"), "138002"),
    (("一二", "三"), "123"),  # a run of digit words recognised as one word
    (("我", "的", "户号", "是", "五", "[unk]", "六"), "56"),
    (("12", "三"), "123"),  # a model that writes digits as numerals
    ((), ""),
    (("[unk]",), ""),
])
def test_digits_from_mandarin(words: tuple[str, ...], digits: str) -> None:
    assert digits_from(words) == digits


def test_digits_from_a_configured_vocabulary() -> None:
    assert digits_from(("일", "이", "삼", "공", "영", "구", "하나"), KOREAN) == "123009"
    assert digits_from(("일", "이"), MANDARIN) == ""  # Korean words mean nothing to the Mandarin vocabulary


@pytest.mark.parametrize(("words", "intent"), [
    (("查水费",), "bill"),
    (("我", "要", "查", "水费"), "bill"),  # "查 水费" said as two words
    (("转", "人工"), "agent"),
    (("人工", "服务"), "agent"),
    (("报修",), "repair"),
    (("[unk]", "投诉"), "complaint"),
    (("人工", "报修"), "agent"),  # the first phrase said wins
    (("你好",), None),
    ((), None),
])
def test_intent_from_mandarin(words: tuple[str, ...], intent: str | None) -> None:
    assert intent_from(words, MENU) == intent


def test_intent_from_a_configured_vocabulary_prefers_the_longest_phrase() -> None:
    assert intent_from(("상담원",), KOREAN) == "agent"
    assert intent_from(("요금", "조회"), KOREAN) == "bill"
    assert intent_from(("일",), KOREAN) is None


def test_a_vocabulary_refuses_a_word_that_is_not_one_digit() -> None:
    with pytest.raises(ValueError, match="one digit"):
        Vocabulary(digit_words={"十": "10"})
    with pytest.raises(ValueError, match="one digit"):
        Vocabulary(digit_words={"x": "a"})
    with pytest.raises(ValueError, match="empty"):
        Vocabulary(intent_words={" ": "bill"})


def test_a_vocabulary_is_frozen_and_copies_its_tables() -> None:
    table = {"하나": "1"}
    vocab = Vocabulary(digit_words=table)
    table["둘"] = "2"
    assert dict(vocab.digit_words) == {"하나": "1"}
    with pytest.raises(TypeError):
        vocab.digit_words["셋"] = "3"  # type: ignore[index]


def test_heard_nothing() -> None:
    assert Heard().nothing and Heard(words=(UNKNOWN_WORD,), text=UNKNOWN_WORD).nothing
    assert not Heard(words=("一",), text="一").nothing


def test_heard_from_vosk_results_with_words_and_confidence() -> None:
    partial = json.dumps({"result": [{"word": "일", "conf": 1.0, "start": 0.0, "end": 0.3}], "text": "일"})
    final = json.dumps({"result": [{"word": "이", "conf": 0.5, "start": 0.5, "end": 0.8}], "text": "이"})
    heard = heard_from([partial, final])
    assert heard == Heard(words=("일", "이"), text="일 이", confidence=0.75)


def test_heard_from_text_only_results_and_junk() -> None:
    assert heard_from(['{"text": "삼 사"}', '{"text": ""}', "not json", "[]"]) == Heard(
        words=("삼", "사"), text="삼 사", confidence=None)
    assert heard_from([]) == Heard()


words_said = st.lists(st.one_of(st.sampled_from(sorted(MANDARIN_DIGIT_WORDS)), st.just(UNKNOWN_WORD), st.text()),
                      max_size=20)


@given(words_said)
def test_digits_from_never_returns_anything_but_digits(words: list[str]) -> None:
    assert all(char in "0123456789" for char in digits_from(words))


@given(words_said, words_said)
def test_unknown_words_and_unk_change_nothing(words: list[str], noise: list[str]) -> None:
    """Words outside the vocabulary (no digit word, no numeral, no letters of digit words) are ignored, wherever
    they are said."""
    def unknown(word: str) -> bool:
        return not word or (any(char not in MANDARIN_DIGIT_WORDS for char in word) and not (
            word.isascii() and word.isdigit()))
    noise = [word for word in noise if unknown(word)]
    interleaved = [w for pair in zip(words, noise, strict=False) for w in pair] + words[len(noise):]
    assert digits_from(interleaved) == digits_from(words)
    assert digits_from([UNKNOWN_WORD, *words, UNKNOWN_WORD]) == digits_from(words)


@given(st.lists(st.sampled_from(sorted(MANDARIN_DIGIT_WORDS)), max_size=20))
def test_every_digit_word_said_is_one_digit_in_order(words: list[str]) -> None:
    assert digits_from(words) == "".join(MANDARIN_DIGIT_WORDS[word] for word in words)
