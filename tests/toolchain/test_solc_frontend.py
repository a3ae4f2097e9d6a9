"""The solc-js front end behaves like native solc for every call the tools make."""

import json
import subprocess
from pathlib import Path

import pytest
import solcx

from kabuto.environment import PROJECT_ROOT

SOLC = PROJECT_ROOT / "tools" / "solc"
OZ_ERC20 = (
    PROJECT_ROOT / "node_modules" / "@openzeppelin" / "contracts" / "token" / "ERC20" / "ERC20.sol"
)


def run_solc(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SOLC), *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def standard_input(sources: dict[str, str], evm_version: str = "cancun") -> str:
    return json.dumps(
        {
            "language": "Solidity",
            "sources": {name: {"content": body} for name, body in sources.items()},
            "settings": {
                "optimizer": {"enabled": True, "runs": 200},
                "evmVersion": evm_version,
                "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
            },
        }
    )


def test_version__native_format():
    result = run_solc("--version")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "solc, the solidity compiler commandline interface"
    assert lines[1].startswith("Version: 0.8.30+commit.73712a01")


def test_version__read_by_py_solc_x():
    assert str(solcx.wrapper.get_solc_version(SOLC)) == "0.8.30"
    installed = [str(v) for v in solcx.get_installed_solc_versions()]
    assert "0.8.30" in installed, "make setup links tools/solc as solc-v0.8.30"


def test_help__lists_combined_json_outputs_like_native_solc():
    result = run_solc("--help")
    assert result.returncode == 0
    line = next(x for x in result.stdout.splitlines() if x.startswith("  --combined-json"))
    assert {"abi", "bin", "bin-runtime", "ast", "hashes"} <= set(line.split(" ")[-1].split(","))


def test_standard_json__compiles_and_reads_imports_from_base_path(tmp_path: Path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "Base.sol").write_text(
        "// SPDX-License-Identifier: MIT\npragma solidity ^0.8.0;\ncontract Base { uint256 public x = 7; }\n"
    )
    source = 'pragma solidity ^0.8.0;\nimport "lib/Base.sol";\ncontract Child is Base {}\n'
    result = run_solc(
        "--standard-json", "--base-path", str(tmp_path), stdin=standard_input({"C.sol": source})
    )
    assert result.returncode == 0
    output = json.loads(result.stdout)
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"]
    assert output["contracts"]["C.sol"]["Child"]["evm"]["bytecode"]["object"]


def test_standard_json__errors_come_back_inside_the_json_with_exit_zero():
    result = run_solc("--standard-json", stdin=standard_input({"Bad.sol": "contract { }"}))
    assert result.returncode == 0
    errors = json.loads(result.stdout)["errors"]
    assert errors[0]["severity"] == "error"
    assert errors[0]["type"] == "ParserError"
    assert "Bad.sol:1:" in errors[0]["formattedMessage"]


def test_standard_json__large_output_is_not_truncated():
    # 20 contracts with their bytecode and source maps give about 650 KB, well over the 64 KiB
    # pipe buffer (the optimizer is off: it only makes the compilation slower and the output smaller).
    count = 20
    body = "\n".join(
        f"contract C{i} {{ function f{i}(uint256 a) external pure returns (uint256) {{ return a * {i} + 1; }} }}"
        for i in range(count)
    )
    request = json.loads(standard_input({"Many.sol": "pragma solidity ^0.8.0;\n" + body}))
    request["settings"]["optimizer"]["enabled"] = False
    request["settings"]["outputSelection"] = {
        "*": {"*": ["abi", "evm.bytecode", "evm.deployedBytecode"]}
    }
    result = run_solc("--standard-json", stdin=json.dumps(request))
    assert len(result.stdout) > 256 * 1024
    assert len(json.loads(result.stdout)["contracts"]["Many.sol"]) == count


def test_standard_json__berlin_target_rejects_cancun_only_opcodes():
    source = "pragma solidity ^0.8.0;\ncontract T { function f() external { assembly { tstore(0, 1) } } }\n"
    result = run_solc(
        "--standard-json", stdin=standard_input({"T.sol": source}, evm_version="berlin")
    )
    errors = [e for e in json.loads(result.stdout)["errors"] if e["severity"] == "error"]
    assert errors and "tstore" in errors[0]["message"]


def test_combined_json__file_with_remapping():
    source_dir = OZ_ERC20.parents[2]
    result = run_solc(
        str(OZ_ERC20),
        "--combined-json",
        "abi,bin,hashes,ast",
        f"@openzeppelin/contracts/={source_dir}/",
        "--optimize",
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    (key,) = [k for k in output["contracts"] if k.endswith(":ERC20")]
    assert output["contracts"][key]["hashes"]["transfer(address,uint256)"] == "a9059cbb"
    assert output["sources"][key.split(":")[0]]["AST"]["nodeType"] == "SourceUnit"


def test_combined_json__stdin_errors_go_to_stderr_with_exit_one():
    result = run_solc("-", "--combined-json", "abi", stdin="contract {")
    assert result.returncode == 1
    assert "ParserError" in result.stderr
    assert result.stdout == ""


def test_unknown_option__is_refused():
    result = run_solc("--frobnicate")
    assert result.returncode == 1
    assert "--frobnicate" in result.stderr


@pytest.mark.parametrize("evm_version", ["berlin", "cancun"])
def test_py_solc_x_compile_source(evm_version: str):
    output = solcx.compile_source(
        "pragma solidity ^0.8.0; contract A { function g() external pure returns (uint8) { return 2; } }",
        output_values=["abi", "bin"],
        solc_version="0.8.30",
        evm_version=evm_version,
    )
    assert output["<stdin>:A"]["bin"]
