import json

import pytest

from kabuto.errors import ManifestError
from kabuto.manifest import (
    Manifest,
    TokenEntry,
    load_manifest,
    load_or_new,
    manifest_path,
    save_manifest,
    update_manifest,
)
from kabuto.onchain_types import Category

REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
YEN = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
TOKEN = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"


def test_update_manifest__writes_the_documented_format(tmp_path):
    update_manifest(2017, tmp_path, contracts={"InvestorRegistry": REGISTRY, "YenCoin": YEN})
    manifest = update_manifest(
        2017,
        tmp_path,
        tokens={"STBOND1": TokenEntry(address=TOKEN, category="Class1", kind="bond")},
    )
    data = json.loads((tmp_path / "2017.json").read_text())
    assert data == {
        "chain_id": 2017,
        "contracts": {"InvestorRegistry": REGISTRY, "YenCoin": YEN},
        "tokens": {"STBOND1": {"address": TOKEN, "category": "Class1", "kind": "bond"}},
    }
    assert manifest.contract("YenCoin") == YEN and manifest.token("STBOND1").address == TOKEN


def test_with_token__from_enum_and_round_trip(tmp_path):
    manifest = Manifest(chain_id=31337).with_token(
        "RETRUST1", TOKEN, Category.CLASS2, "Beneficiary"
    )
    assert manifest.token("RETRUST1").category == "Class2"
    assert manifest.token("RETRUST1").kind == "beneficiary"
    save_manifest(manifest, manifest_path(31337, tmp_path))
    assert load_manifest(manifest_path(31337, tmp_path), 31337) == manifest


def test_load__other_chain__refused(tmp_path):
    save_manifest(Manifest(chain_id=1), manifest_path(1, tmp_path))
    with pytest.raises(ManifestError, match="describes chain 1, but the network is chain 2017"):
        load_manifest(manifest_path(1, tmp_path), 2017)


def test_load__missing__says_to_deploy(tmp_path):
    with pytest.raises(ManifestError, match="deploy the platform"):
        load_manifest(tmp_path / "5.json")
    assert load_or_new(5, tmp_path) == Manifest(chain_id=5)


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("{not json", "not valid JSON"),
        (
            '{"chain_id": 1, "contracts": {"X": "0x5fbdb2315678afecb367f032d93f642f64180aa3"}}',
            "contracts.X",
        ),
        (
            '{"chain_id": 1, "tokens": {"A": {"address": "' + TOKEN + '", "category": "Class3", '
            '"kind": "bond"}}}',
            "tokens.A.category",
        ),
    ],
)
def test_load__invalid__names_the_key(tmp_path, content, fragment):
    path = tmp_path / "1.json"
    path.write_text(content)
    with pytest.raises(ManifestError, match=fragment.replace(".", r"\.")):
        load_manifest(path)


def test_contract__unknown_name__suggests_close_match():
    manifest = Manifest(chain_id=1, contracts={"Settlement": REGISTRY})
    with pytest.raises(ManifestError, match="did you mean 'Settlement'"):
        manifest.contract("Setlement")


def test_save__atomic_leaves_no_temporary_files_and_replaces(tmp_path):
    path = manifest_path(7, tmp_path)
    save_manifest(Manifest(chain_id=7), path)
    save_manifest(Manifest(chain_id=7).with_contract("YenCoin", YEN), path)
    assert [p.name for p in tmp_path.iterdir()] == ["7.json"]
    assert load_manifest(path).contracts == {"YenCoin": YEN}


def test_save__failure_mid_write__old_manifest_intact(tmp_path, monkeypatch):
    path = manifest_path(7, tmp_path)
    save_manifest(Manifest(chain_id=7).with_contract("YenCoin", YEN), path)

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr("kabuto.manifest.os.replace", crash)
    with pytest.raises(OSError):
        save_manifest(Manifest(chain_id=7), path)
    assert load_manifest(path).contracts == {"YenCoin": YEN}
    assert [p.name for p in tmp_path.iterdir()] == ["7.json"]
