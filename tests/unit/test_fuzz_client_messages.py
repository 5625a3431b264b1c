"""The websocket's answer to whatever a client sends: arbitrary text and bytes, JSON of every shape, deep
nesting, huge frames. It never raises; it replies (pong or a typed error) or closes with a policy code."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from agent_console.client_messages import MAX_MESSAGE_CHARS, MESSAGE_TOO_BIG, UNSUPPORTED_DATA, answer

json_values = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                       max_size=4), max_leaves=12)
messages = st.one_of(
    json_values.map(json.dumps),
    st.fixed_dictionaries({"type": json_values, "v": json_values}).map(json.dumps),
    st.text(max_size=200),
    st.integers(1, 20_000).map(lambda n: "[" * n),
    st.integers(1, 3_000).map(lambda n: '{"a":' * n),
    st.just("NaN"), st.just('{"type": "ping"'), st.just('"ping"'),
)


@settings(max_examples=500, derandomize=True, deadline=None)
@given(messages)
def test_text_is_answered_or_closed_never_raised(text: str) -> None:
    reply = answer({"type": "websocket.receive", "text": text})
    if len(text) > MAX_MESSAGE_CHARS:
        assert reply.close_code == MESSAGE_TOO_BIG
    else:
        assert reply.close_code is None and reply.payload is not None
        assert reply.payload["type"] in ("pong", "error") and reply.payload["v"] == 1


@settings(max_examples=100, derandomize=True, deadline=None)
@given(st.binary(max_size=100))
def test_binary_frames_close_with_unsupported_data(data: bytes) -> None:
    assert answer({"type": "websocket.receive", "bytes": data}).close_code == UNSUPPORTED_DATA


def test_ping_pong_and_errors() -> None:
    assert answer({"text": '{"type": "ping", "v": 1}'}).payload == {"type": "pong", "v": 1}
    assert answer({"text": '{"type": ["ping"]}'}).payload == {"type": "error", "v": 1, "error": "unknown_message"}
    assert answer({"text": "{oops"}).payload == {"type": "error", "v": 1, "error": "invalid_json"}
    assert answer({"text": "[" * 4_000}).payload == {"type": "error", "v": 1, "error": "invalid_json"}
