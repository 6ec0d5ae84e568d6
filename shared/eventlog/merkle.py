"""The Merkle tree over the log's entries (RFC 9162, section 2.1), and its proofs.

Each entry is a leaf: ``leaf_hash(entry hash bytes)``; ``tree_root`` of the first N leaves is
what a signed checkpoint at size N commits to. An inclusion proof shows that an entry is in
the tree of a given size; a consistency proof shows that the tree of one size is a prefix of
the tree of a larger size, so a log can only have grown. Hashes are 32 raw bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (size >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def tree_root(leaves: Sequence[bytes]) -> bytes:
    """MTH: the root over leaf hashes (already ``leaf_hash``-ed)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(tree_root(leaves[:k]), tree_root(leaves[k:]))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, leaves): the siblings from the leaf up to the root."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(leaves[:k], index), tree_root(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), tree_root(leaves[:k])]


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, leaves): what links the tree of ``old_size`` to this one."""
    if not 0 <= old_size <= len(leaves):
        raise ValueError(f"a tree of {len(leaves)} has no prefix of {old_size}")
    if old_size in (0, len(leaves)):
        return []
    return _subproof(leaves, old_size, complete=True)


def _subproof(leaves: Sequence[bytes], size: int, *, complete: bool) -> list[bytes]:
    if size == len(leaves):
        return [] if complete else [tree_root(leaves)]
    k = _split(len(leaves))
    if size <= k:
        return [*_subproof(leaves[:k], size, complete=complete), tree_root(leaves[k:])]
    return [*_subproof(leaves[k:], size - k, complete=False), tree_root(leaves[:k])]


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """True when ``proof`` shows ``leaf`` at ``index`` in the tree of ``size`` with ``root``."""
    if not 0 <= index < size or any(len(node) != 32 for node in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for node in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(node, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, node)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> bool:
    """True when ``proof`` shows the tree of ``size1`` (``root1``) is a prefix of the tree of
    ``size2`` (``root2``)."""
    if not 0 <= size1 <= size2 or any(len(node) != 32 for node in proof):
        return False
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0:
        return not proof
    if not proof:
        return False
    path = [root1, *proof] if size1 & (size1 - 1) == 0 else list(proof)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(node, fr), node_hash(node, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, node)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == root1 and sr == root2


class CompactRange:
    """The root of a growing tree in O(log n) memory: the roots of its perfect subtrees, the
    largest first. Appending is amortised O(1) hashes; ``root()`` is O(log n)."""

    def __init__(self) -> None:
        self.size = 0
        self._peaks: list[tuple[int, bytes]] = []  # (subtree size, subtree root)

    def append(self, leaf: bytes) -> None:
        height, node = 1, leaf
        while self._peaks and self._peaks[-1][0] == height:
            _, left = self._peaks.pop()
            height, node = height * 2, node_hash(left, node)
        self._peaks.append((height, node))
        self.size += 1

    def root(self) -> bytes:
        if not self._peaks:
            return EMPTY_ROOT
        node = self._peaks[-1][1]
        for _, left in reversed(self._peaks[:-1]):
            node = node_hash(left, node)
        return node
