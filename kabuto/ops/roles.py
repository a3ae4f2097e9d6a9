"""AccessControl role ids of the Kabuto contracts (keccak256 of the role name)."""

from eth_utils import keccak

DEFAULT_ADMIN = b"\x00" * 32
REGISTRAR = keccak(text="REGISTRAR_ROLE")
AGENT = keccak(text="AGENT_ROLE")
COMPLIANCE = keccak(text="COMPLIANCE_ROLE")
MASTER_MINTER = keccak(text="MASTER_MINTER_ROLE")
PAUSER = keccak(text="PAUSER_ROLE")
BLOCKLISTER = keccak(text="BLOCKLISTER_ROLE")
SEIZER = keccak(text="SEIZER_ROLE")
RESCUER = keccak(text="RESCUER_ROLE")
