"""The pure parts of the tamper-evident log: RFC 9162 hashing, proofs, encoding, signing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from materiel.core.errors import InvalidInput
from materiel.platform.audit_chain import checkpoint, merkle, signing
from materiel.platform.audit_chain.canonical import EntryFields, entry_bytes, json_text

# Certificate Transparency's reference leaves and tree heads for sizes 0..8
# (the RFC 6962 test vectors also used by transparency-dev/merkle).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_PATHS = {
    0: [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    5: [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}


def ct_leaf_hashes() -> list[bytes]:
    return [merkle.leaf_hash(leaf) for leaf in CT_LEAVES]


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH exactly as RFC 9162 2.1.1 states it: split at the largest power of two below n."""
    if not leaves:
        return merkle.EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return merkle.node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


def reference_path(index: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) as RFC 9162 2.1.3.1 states it."""
    if len(leaves) <= 1:
        return []
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    if index < k:
        return [*reference_path(index, leaves[:k]), reference_root(leaves[k:])]
    return [*reference_path(index - k, leaves[k:]), reference_root(leaves[:k])]


def synthetic_leaves(count: int) -> list[bytes]:
    return [merkle.leaf_hash(n.to_bytes(4, "big")) for n in range(count)]


def test_tree_heads_match_the_ct_reference_for_every_size() -> None:
    leaves = ct_leaf_hashes()
    for size, expected in enumerate(CT_ROOTS):
        assert merkle.root(leaves[:size]).hex() == expected
        frontier = merkle.Frontier()
        for leaf in leaves[:size]:
            frontier.append(leaf)
        assert frontier.root().hex() == expected


def test_inclusion_paths_match_the_ct_reference() -> None:
    leaves = ct_leaf_hashes()
    root = bytes.fromhex(CT_ROOTS[8])
    for index, expected in CT_PATHS.items():
        path = merkle.inclusion_path(leaves, index)
        assert [h.hex() for h in path] == expected
        assert merkle.verify_inclusion(leaves[index], index, 8, path, root)


@given(st.integers(min_value=0, max_value=300))
def test_level_by_level_root_and_frontier_equal_the_rfc_recursion(size: int) -> None:
    leaves = synthetic_leaves(size)
    frontier = merkle.Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    assert merkle.root(leaves) == reference_root(leaves) == frontier.root()


@given(st.data())
def test_every_inclusion_proof_verifies_and_equals_the_rfc_path(data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=1, max_value=300), label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    leaves = synthetic_leaves(size)
    path = merkle.inclusion_path(leaves, index)
    assert path == reference_path(index, leaves)
    assert merkle.verify_inclusion(leaves[index], index, size, path, merkle.root(leaves))


@given(st.data())
def test_any_flipped_byte_or_wrong_position_fails_the_proof(data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=2, max_value=200), label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    leaves = synthetic_leaves(size)
    root, path = merkle.root(leaves), merkle.inclusion_path(leaves, index)
    target = data.draw(st.sampled_from(["leaf", "root", "path"]), label="target")
    bit = data.draw(st.integers(min_value=0, max_value=255), label="bit")

    def flip(value: bytes) -> bytes:
        return bytes(b ^ (1 << (bit % 8)) if i == bit // 8 else b for i, b in enumerate(value))

    leaf = flip(leaves[index]) if target == "leaf" else leaves[index]
    expected_root = flip(root) if target == "root" else root
    if target == "path":
        which = data.draw(st.integers(min_value=0, max_value=len(path) - 1), label="which")
        path = [flip(h) if i == which else h for i, h in enumerate(path)]
    assert not merkle.verify_inclusion(leaf, index, size, path, expected_root)
    # The same proof claimed for another position fails too. (The tree size is not
    # bound by the proof alone: the signed checkpoint binds it to the root.)
    other = data.draw(st.integers(min_value=0, max_value=size - 1).filter(lambda i: i != index))
    assert not merkle.verify_inclusion(leaves[index], other, size, path, root)


def test_a_malformed_proof_is_refused_not_crashed() -> None:
    leaves = synthetic_leaves(5)
    path = merkle.inclusion_path(leaves, 4)
    root = merkle.root(leaves)
    assert not merkle.verify_inclusion(leaves[4], 5, 5, path, root)
    assert not merkle.verify_inclusion(leaves[4], 4, 5, [*path, leaves[0]], root)
    assert not merkle.verify_inclusion(leaves[4], 4, 5, path[:-1], root)


def entry(**changes: object) -> EntryFields:
    fields: dict[str, object] = {
        "seq": 3,
        "at": datetime(2026, 11, 27, 14, 30, 0, 123456, tzinfo=UTC),
        "actor": "cli:Müller",
        "action": "update",
        "entity": "requirement",
        "entity_id": "REQ-1",
        "before": json_text({"quantity": 4, "note": 'say "hi"'}),
        "after": json_text({"quantity": 5, "note": 'say "hi"'}),
    }
    return EntryFields(**{**fields, **changes})  # type: ignore[arg-type]


def test_canonical_bytes_are_json_in_a_fixed_order() -> None:
    text = entry_bytes(entry()).decode("utf-8")
    assert text == (
        '{"seq":3,"at":"2026-11-27T14:30:00.123456Z","actor":"cli:Müller","action":"update",'
        '"entity":"requirement","entity_id":"REQ-1","before":{"note":"say \\"hi\\"","quantity":4},'
        '"after":{"note":"say \\"hi\\"","quantity":5}}'
    )
    assert json.loads(text)["before"] == {"quantity": 4, "note": 'say "hi"'}


def test_the_same_moment_in_any_zone_or_naive_utc_encodes_alike() -> None:
    moment = datetime(2026, 11, 27, 14, 30, 0, 123456, tzinfo=UTC)
    kyiv = moment.astimezone(timezone(timedelta(hours=2)))
    naive = moment.replace(tzinfo=None)
    assert entry_bytes(entry(at=kyiv)) == entry_bytes(entry(at=naive)) == entry_bytes(entry())


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 4},
        {"at": datetime(2026, 11, 27, 14, 30, 0, 123457, tzinfo=UTC)},
        {"actor": "cli:Muller"},
        {"action": "create"},
        {"entity": "pledge"},
        {"entity_id": "REQ-2"},
        {"before": None},
        {"after": json_text({"quantity": 6, "note": 'say "hi"'})},
        {"before": ""},
    ],
)
def test_every_field_changes_the_bytes(change: dict[str, object]) -> None:
    assert entry_bytes(entry(**change)) != entry_bytes(entry())


def test_a_signed_checkpoint_round_trips_through_its_file_and_checks_its_key(
    tmp_path: Path,
) -> None:
    key = signing.signing_key(tmp_path / "keys" / "audit.pem")
    assert (tmp_path / "keys" / "audit.pem").stat().st_mode & 0o777 == 0o600
    root = merkle.root(ct_leaf_hashes())
    made = checkpoint.sign(key, 8, root, datetime(2026, 11, 27, 14, 30, tzinfo=UTC))
    assert made.note.splitlines()[0:2] == ["materiel/audit-log", "8"]
    checkpoint.write_file(made, tmp_path / "head.json")
    read = checkpoint.read_file(tmp_path / "head.json")
    assert read == made and read.signed_by(key.public_key())
    assert not read.signed_by(Ed25519PrivateKey.generate().public_key())
    assert signing.public_key_file(tmp_path / "keys" / "audit.pem") is not None
    assert signing.signing_key(tmp_path / "keys" / "audit.pem").public_key() == key.public_key()


def test_a_checkpoint_file_whose_fields_were_edited_is_refused(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    made = checkpoint.sign(key, 8, merkle.root(ct_leaf_hashes()), datetime.now(UTC))
    data = made.to_json()
    data["tree_size"] = 7
    (tmp_path / "head.json").write_text(json.dumps(data))
    with pytest.raises(InvalidInput, match="do not agree"):
        checkpoint.read_file(tmp_path / "head.json")
    forged = checkpoint.from_note(made.note.replace("\n8\n", "\n7\n"), made.key_id, made.signature)
    assert not forged.signed_by(key.public_key())
