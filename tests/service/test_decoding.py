"""The indexer's word-by-word event decoder gives what eth_abi gives, for every event of
every followed contract whose data it handles (static words, dynamic bytes and string)."""

from __future__ import annotations

from eth_abi import decode, encode
from hypothesis import given, settings
from hypothesis import strategies as st

from kabuto.service.indexer.events import CONTRACT_TYPES, _decode_fast, event_specs

SPECS = [
    spec
    for role in CONTRACT_TYPES
    for spec in event_specs(role).values()
    if spec.data and spec.fast
]


def _value(kind: str) -> st.SearchStrategy[object]:
    if kind == "address":
        return st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
    if kind == "bool":
        return st.booleans()
    if kind == "bytes32":
        return st.binary(min_size=32, max_size=32)
    if kind == "bytes":
        return st.binary(max_size=200)
    if kind == "string":
        return st.text(max_size=40)
    bits = int(kind.lstrip("uint") or 256)
    if kind.startswith("uint"):
        return st.integers(0, 2**bits - 1)
    return st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


def test_the_fast_decoder_covers_most_events():
    assert len(SPECS) >= 40


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_fast_decoder_equals_eth_abi(data):
    spec = data.draw(st.sampled_from(SPECS))
    types = spec.data_types
    values = [data.draw(_value(kind)) for kind in types]
    raw = encode(types, values)
    expected = [
        v.lower() if k == "address" else v for k, v in zip(types, decode(types, raw), strict=True)
    ]
    got = [
        "0x" + v.hex() if k == "address" else v
        for k, v in zip(types, _decode_fast(types, raw), strict=True)
    ]
    assert got == expected, spec.name
