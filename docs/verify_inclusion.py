"""Check a materiel audit inclusion proof with nothing but Python's standard library.

    python verify_inclusion.py proof.json     (from `materiel audit prove SEQ > proof.json`)

Implements RFC 9162 section 2.1.3.2; exits 0 if the entry is in the tree, 1 if not.
If the proof names a checkpoint, its root and size must be the proof's too; check
the checkpoint's Ed25519 signature separately (docs/security.md).
"""

import hashlib
import json
import sys


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def root_from_path(leaf: bytes, index: int, size: int, path: list[bytes]) -> bytes | None:
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def check(proof: dict) -> str | None:
    """None if the proof holds, else what is wrong."""
    leaf = hashlib.sha256(b"\x00" + proof["entry"].encode("utf-8")).digest()
    if leaf.hex() != proof["leaf_hash"]:
        return "the entry does not hash to the leaf hash"
    path = [bytes.fromhex(h) for h in proof["inclusion_path"]]
    root = root_from_path(leaf, proof["leaf_index"], proof["tree_size"], path)
    if root is None or root.hex() != proof["root_hash"]:
        return "the inclusion path does not lead to the root hash"
    head = proof.get("checkpoint")
    if head and (head["root_hash"], head["tree_size"]) != (root.hex(), proof["tree_size"]):
        return "the checkpoint is of another tree"
    return None


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as file:
        problem = check(json.load(file))
    print(problem or "ok: the entry is in the tree")  # noqa: T201 - a command-line tool
    sys.exit(1 if problem else 0)
