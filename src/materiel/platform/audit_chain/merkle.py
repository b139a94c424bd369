"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing, pure functions.

Leaf hash = SHA-256(0x00 || entry), node hash = SHA-256(0x01 || left || right);
the tree over n leaves splits at the largest power of two below n (section 2.1.1).
Computing it level by level, carrying an unpaired last node up unchanged, gives
the same tree in O(n) without recursion.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()
CHAIN_START = bytes(32)  # the chain hash "before" entry 0


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def chain_hash(previous: bytes, leaf: bytes) -> bytes:
    """The running hash stored per row: it commits to every leaf before it."""
    return hashlib.sha256(previous + leaf).digest()


def _next_level(level: Sequence[bytes]) -> list[bytes]:
    paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
    if len(level) % 2:
        paired.append(level[-1])
    return paired


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree head over leaf hashes (MTH in RFC 9162)."""
    if not leaves:
        return EMPTY_ROOT
    level = list(leaves)
    while len(level) > 1:
        level = _next_level(level)
    return level[0]


def inclusion_path(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, leaves): the sibling hashes from the leaf up to the root."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)}")
    path: list[bytes] = []
    level = list(leaves)
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            path.append(level[sibling])
        level = _next_level(level)
        index //= 2
    return path


def root_from_path(leaf: bytes, index: int, size: int, path: Sequence[bytes]) -> bytes | None:
    """The root an inclusion path leads to (RFC 9162 section 2.1.3.2), or None if malformed."""
    if not 0 <= index < size:
        return None
    fn, sn, result = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, sibling)
        fn, sn = fn >> 1, sn >> 1
    return result if sn == 0 else None


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], expected_root: bytes
) -> bool:
    return root_from_path(leaf, index, size, path) == expected_root


class Frontier:
    """The roots of the perfect subtrees of a growing tree: its head in O(log n) memory.

    Streaming leaves through it gives the tree head of every prefix, which is how
    verify checks each checkpoint in one pass over the log.
    """

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # (leaves under it, hash), biggest first

    def append(self, leaf: bytes) -> None:
        self.size += 1
        width, node = 1, leaf
        while self._stack and self._stack[-1][0] == width:
            left_width, left = self._stack.pop()
            width, node = left_width + width, node_hash(left, node)
        self._stack.append((width, node))

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        result = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            result = node_hash(left, result)
        return result
