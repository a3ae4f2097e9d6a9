"""The deployment manifest, ``deployments/<chain-id>.json``: where every Kabuto contract and
token of one chain lives, so that every script finds them by name::

    {"chain_id": 2017,
     "contracts": {"InvestorRegistry": "0x..", "YenCoin": "0x..", "Settlement": "0x..", ...},
     "tokens": {"STBOND1": {"address": "0x..", "category": "Class1", "kind": "bond"}}}

Writes are atomic (a temporary file in the same folder, fsynced, then renamed over the old
one), so a run stopped at any moment leaves either the old or the new manifest, never half.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from kabuto.errors import ManifestError
from kabuto.inputs.fields import checksum_address, suggest
from kabuto.onchain_types import Category

DEFAULT_DIR = Path("deployments")
Address = Annotated[str, AfterValidator(checksum_address)]
CategoryName = Literal["Class1", "Class2", "ExcludedClass2"]


class TokenEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    address: Address
    category: CategoryName
    kind: Literal["bond", "beneficiary"]


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    chain_id: int = Field(gt=0)
    contracts: dict[str, Address] = {}
    tokens: dict[str, TokenEntry] = {}

    def contract(self, name: str) -> str:
        """The address of a platform contract, or ManifestError naming what is deployed."""
        if name not in self.contracts:
            raise ManifestError(
                f"no {name!r} in the deployment manifest of chain "
                f"{self.chain_id}{suggest(name, self.contracts)}; deployed: "
                f"{', '.join(self.contracts) or 'nothing'}. Run the deploy "
                "script first"
            )
        return self.contracts[name]

    def token(self, symbol: str) -> TokenEntry:
        if symbol not in self.tokens:
            raise ManifestError(
                f"no token {symbol!r} on chain {self.chain_id}"
                f"{suggest(symbol, self.tokens)}; issued: "
                f"{', '.join(self.tokens) or 'none'}"
            )
        return self.tokens[symbol]

    def with_contract(self, name: str, address: str) -> Manifest:
        return self.model_copy(
            update={"contracts": {**self.contracts, name: checksum_address(address)}}
        )

    def with_token(
        self, symbol: str, address: str, category: Category | str, kind: str
    ) -> Manifest:
        entry = TokenEntry(
            address=address,
            kind=kind.lower(),  # type: ignore[arg-type]
            category=category.label if isinstance(category, Category) else category,
        )  # type: ignore[arg-type]
        return self.model_copy(update={"tokens": {**self.tokens, symbol: entry}})


def manifest_path(chain_id: int, directory: Path = DEFAULT_DIR) -> Path:
    return directory / f"{chain_id}.json"


def load_manifest(path: Path, chain_id: int | None = None) -> Manifest:
    """The manifest at `path`; with `chain_id`, it must be that chain's.

    Raises:
        ManifestError: missing, not JSON, invalid, or of another chain.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(
            f"{path} not found: deploy the platform to this chain first "
            "(ape run deploy --network ...)"
        ) from exc
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path} is not valid JSON (line {exc.lineno}): {exc.msg}") from exc
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ManifestError(f"{path} is not a Kabuto deployment manifest: {problems}") from exc
    if chain_id is not None and manifest.chain_id != chain_id:
        raise ManifestError(
            f"{path} describes chain {manifest.chain_id}, but the network is "
            f"chain {chain_id}: pick the right --network or manifest"
        )
    return manifest


def load_or_new(chain_id: int, directory: Path = DEFAULT_DIR) -> Manifest:
    """The chain's manifest if it exists, else an empty one (for the deploy script)."""
    path = manifest_path(chain_id, directory)
    return load_manifest(path, chain_id) if path.exists() else Manifest(chain_id=chain_id)


def save_manifest(manifest: Manifest, path: Path) -> None:
    """Writes the manifest atomically (old or new file, never a torn one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(manifest.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def update_manifest(
    chain_id: int,
    directory: Path = DEFAULT_DIR,
    *,
    contracts: dict[str, str] | None = None,
    tokens: dict[str, TokenEntry] | None = None,
) -> Manifest:
    """Loads (or starts) the chain's manifest, adds entries, saves it atomically, returns it."""
    manifest = load_or_new(chain_id, directory)
    for name, address in (contracts or {}).items():
        manifest = manifest.with_contract(name, address)
    if tokens:
        manifest = manifest.model_copy(update={"tokens": {**manifest.tokens, **tokens}})
    save_manifest(manifest, manifest_path(chain_id, directory))
    return manifest
