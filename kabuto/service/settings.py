"""The service's settings: one pydantic model, read from KABUTO_* environment variables by
:meth:`ServiceSettings.from_env` (or built directly in tests)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_DATABASE_URL = "sqlite:///service/kabuto.db"
DEFAULT_TOKENS_FILE = Path("service/tokens.json")

_ENV = {
    "database_url": "KABUTO_DATABASE_URL",
    "manifest_path": "KABUTO_MANIFEST",
    "network": "KABUTO_NETWORK",
    "rpc_url": "KABUTO_RPC_URL",
    "role_tokens_file": "KABUTO_ROLE_TOKENS",
    "key_dir": "KABUTO_KEY_DIR",
    "issuer": "KABUTO_ISSUER",
    "state_dir": "KABUTO_SERVICE_STATE",
    "job_batch_size": "KABUTO_JOB_BATCH_SIZE",
    "follow": "KABUTO_SERVICE_FOLLOW",
    "run_jobs": "KABUTO_SERVICE_JOBS",
}


class ServiceSettings(BaseModel):
    """Where the service finds its database, chain, manifest, tokens and keys.

    Attributes:
        database_url: SQLAlchemy URL; the default is a SQLite file (nothing to install),
            ``postgresql+psycopg://user:pw@host/db`` for PostgreSQL.
        manifest_path: the deployment manifest (deployments/<chain-id>.json); None: found
            from the chain id of the connected node in ``deployments/``.
        network: the Ape network operator jobs send through (``ethereum:local:foundry``,
            ``ethereum:privnet:node``, ``ethereum:besu:node``).
        rpc_url: the node's HTTP JSON-RPC URL the indexer reads (None: the Ape provider's).
        role_tokens_file: the API tokens (only their SHA-256 digests) and their roles.
        key_dir: the issuer's key files (personal data is decrypted for issuer/auditor only).
        issuer: the issuer address whose key decrypts personal data (None: from the chain).
        state_dir: where jobs keep uploaded files and outputs.
        follow: index in the background while the API runs.
        poll_seconds: how often the background indexer asks the node for new blocks.
        run_jobs: run queued operator jobs in the background (off: the API only queues).
        job_batch_size: items per transaction batch of a job.
        accounts: the Ape account alias signing for each platform role (``issuer``,
            ``registrar``, ...; KABUTO_ACCOUNT_<ROLE>); local networks default to the test
            accounts the scripts use.
    """

    model_config = ConfigDict(frozen=True)

    database_url: str = DEFAULT_DATABASE_URL
    manifest_path: Path | None = None
    network: str = "ethereum:privnet:node"
    rpc_url: str | None = None
    role_tokens_file: Path = DEFAULT_TOKENS_FILE
    key_dir: Path = Path("keys")
    issuer: str | None = None
    state_dir: Path = Path("service")
    follow: bool = True
    poll_seconds: float = Field(default=1.0, gt=0)
    run_jobs: bool = True
    job_batch_size: int = Field(default=20, ge=1)
    accounts: dict[str, str] = {}

    def node_url(self) -> str:
        """The JSON-RPC URL the indexer reads: rpc_url, else the URL of the Ape network's
        node from the project's settings (privnet: KABUTO_PRIVNET_RPC_URL, besu:
        KABUTO_BESU_RPC_URL)."""
        if self.rpc_url:
            return self.rpc_url
        if "besu" in self.network:
            return os.environ.get("KABUTO_BESU_RPC_URL", "http://127.0.0.1:8545")
        return os.environ.get("KABUTO_PRIVNET_RPC_URL", "http://127.0.0.1:8546")

    def manifest_for(self, chain_id: int) -> Path:
        """The manifest: manifest_path, else deployments/<chain-id>.json."""
        return self.manifest_path or Path("deployments") / f"{chain_id}.json"

    @classmethod
    def from_env(cls, **overrides: object) -> ServiceSettings:
        """Settings from KABUTO_DATABASE_URL, KABUTO_MANIFEST, KABUTO_NETWORK, KABUTO_RPC_URL,
        KABUTO_ROLE_TOKENS, KABUTO_KEY_DIR, KABUTO_ISSUER, KABUTO_SERVICE_STATE; `overrides`
        win."""
        values: dict[str, object] = {
            field: os.environ[name] for field, name in _ENV.items() if os.environ.get(name)
        }
        accounts = {
            name.removeprefix("KABUTO_ACCOUNT_").lower(): alias
            for name, alias in os.environ.items()
            if name.startswith("KABUTO_ACCOUNT_") and alias
        }
        if accounts:
            values["accounts"] = accounts
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
