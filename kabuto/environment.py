"""Process environment defaults that Ape's configuration reads.

Imported at interpreter start by a ``.pth`` file the Makefile writes into the project
virtualenv, so that every ``ape`` command (run through make or by hand) finds the solc-js
compiler and a defined EVM target without any download. Keep this module import-light.
"""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EVM_VERSION = "cancun"
SUPPORTED_EVM_VERSIONS = ("berlin", "london", "paris", "shanghai", "cancun", "prague")

DEFAULTS = {
    "KABUTO_EVM_VERSION": DEFAULT_EVM_VERSION,
    "SOLCX_BINARY_PATH": str(PROJECT_ROOT / ".cache" / "solcx"),
    "KABUTO_PRIVNET_RPC_URL": "http://127.0.0.1:8546",
    "KABUTO_BESU_RPC_URL": "http://127.0.0.1:8545",
    "KABUTO_BESU_CHAIN_ID": "1337",
}


# anvil (node_modules/.bin) and the solc-js front end (tools/) come first on PATH, ahead
# of anything else called solc (solc-select's shim in a venv hangs offline).
TOOL_DIRS = (PROJECT_ROOT / "tools", PROJECT_ROOT / "node_modules" / ".bin")


def apply_defaults() -> None:
    """Set every Kabuto environment variable the user has not set and put our tools on PATH."""
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    # EIP-1559 transactions exist from london on; older targets use legacy transactions.
    pre_london = os.environ["KABUTO_EVM_VERSION"] == "berlin"
    os.environ.setdefault("KABUTO_TX_TYPE", "0" if pre_london else "2")
    path_entries = os.environ.get("PATH", "").split(os.pathsep)
    missing = [str(d) for d in TOOL_DIRS if str(d) not in path_entries]
    if missing:
        os.environ["PATH"] = os.pathsep.join(missing + path_entries)


apply_defaults()
