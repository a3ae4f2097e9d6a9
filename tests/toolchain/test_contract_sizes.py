"""The size budget of the current build (the EVM target in KABUTO_EVM_VERSION: `make test` runs
this in its cancun and its berlin phase): every deployable contract at least 1,024 bytes below the
24,576-byte limit, and the token at most 22,500 bytes (issue 16)."""

import json
import os

from kabuto.contract_sizes import LIMIT, RESERVE, ContractSize, built_target, contract_sizes

TOKEN_TARGET = 22_500


def test_build_is_for_the_configured_target():
    assert built_target() == os.environ.get("KABUTO_EVM_VERSION", "cancun")


def test_every_deployable_contract__keeps_the_reserve():
    sizes = contract_sizes()
    names = {c.name for c in sizes}
    assert {"SecurityToken", "TokenExtension", "YenCoin", "CorporateActions"} <= names
    for c in sizes:
        print(f"SIZE {c.name:<24} {c.size:>6} margin {c.margin:>6}")
    assert [c.name for c in sizes if c.margin < RESERVE] == []


def test_token__within_its_target():
    token = next(c for c in contract_sizes() if c.name == "SecurityToken")
    assert token.size <= TOKEN_TARGET


def test_budget__flags_a_contract_inside_the_reserve(tmp_path):
    """The check itself can fail: a manifest with a contract 1,000 bytes under the limit."""
    manifest = tmp_path / "__local__.json"
    big = "0x" + "00" * (LIMIT - 1_000)
    manifest.write_text(
        json.dumps(
            {
                "contractTypes": {
                    "Big": {
                        "sourceId": "contracts/x/Big.sol",
                        "runtimeBytecode": {"bytecode": big},
                    },
                    "Iface": {"sourceId": "interfaces/I.sol", "runtimeBytecode": {}},
                    "Gone": {
                        "sourceId": "contracts/Gone.sol",
                        "runtimeBytecode": {"bytecode": big},
                    },
                }
            }
        )
    )
    (tmp_path / "contracts" / "x").mkdir(parents=True)
    (tmp_path / "contracts" / "x" / "Big.sol").write_text("// a source that exists\n")
    sizes = contract_sizes(manifest, root=tmp_path)
    assert sizes == [ContractSize("Big", "contracts/x/Big.sol", LIMIT - 1_000)]
    assert not sizes[0].within_budget and sizes[0].margin == 1_000
