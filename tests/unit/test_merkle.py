"""The log's Merkle tree against the published RFC 6962 / RFC 9162 test vectors (the eight
reference leaves and the roots and proofs that certificate transparency and
transparency-dev/merkle check their implementations with), and against every way a proof
can be corrupted."""

from __future__ import annotations

import hashlib

import pytest

from shared.eventlog.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    tree_root,
    verify_consistency,
    verify_inclusion,
)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


LEAVES = [
    h(""),
    h("00"),
    h("10"),
    h("2021"),
    h("3031"),
    h("40414243"),
    h("5051525354555657"),
    h("606162636465666768696a6b6c6d6e6f"),
]
ROOTS = [  # the root of the first 1..8 leaves
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]
INCLUSION = [  # (leaf index, tree size, proof)
    (
        0,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        5,
        8,
        [
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (2, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (
        1,
        5,
        [
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
]
CONSISTENCY = [  # (old size, new size, proof)
    (
        1,
        8,
        [
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ],
    ),
    (
        6,
        8,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
    (
        2,
        5,
        [
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ],
    ),
    (
        6,
        7,
        [
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ],
    ),
]
HASHED = [leaf_hash(leaf) for leaf in LEAVES]
SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")


def flipped(proof: list[bytes], at: int, bit: int) -> list[bytes]:
    changed = list(proof)
    changed[at] = bytes([changed[at][0] ^ bit]) + changed[at][1:]
    return changed


@pytest.mark.parametrize("size", range(1, 9))
def test_the_roots_of_the_reference_trees(size: int) -> None:
    assert tree_root(HASHED[:size]) == ROOTS[size - 1]
    growing = CompactRange()
    for leaf in HASHED[:size]:
        growing.append(leaf)
    assert growing.root() == ROOTS[size - 1]


def test_the_empty_tree_has_the_hash_of_nothing() -> None:
    assert tree_root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest() == CompactRange().root()


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_match_the_vectors_and_verify(index, size, proof) -> None:
    assert inclusion_proof(HASHED[:size], index) == proof
    assert verify_inclusion(index, size, HASHED[index], proof, ROOTS[size - 1])


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_a_corrupted_inclusion_proof_never_verifies(index, size, proof) -> None:
    root, leaf = ROOTS[size - 1], HASHED[index]
    probes = [
        (index - 1, size, root, leaf, proof),
        (index + 1, size, root, leaf, proof),
        (index ^ 2, size, root, leaf, proof),
        (index, size * 2, root, leaf, proof),
        (index, size // 2, root, leaf, proof),
        (index, size, root, leaf_hash(b"WrongLeaf"), proof),
        (index, size, EMPTY_ROOT, leaf, proof),
        (index, size, SOME_HASH, leaf, proof),
        (index, size, root, leaf, [*proof, b""]),
        (index, size, root, leaf, [*proof, root]),
        (index, size, root, leaf, [b"", *proof]),
        (index, size, root, leaf, [root, *proof]),
        (index, size, root, leaf, proof[:-1]),
        *[(index, size, root, leaf, flipped(proof, at, 8)) for at in range(len(proof))],
    ]
    if len(proof) > 1:
        probes.append((index, size, root, leaf, [proof[0], SOME_HASH, *proof[1:]]))
    for at, size_, root_, leaf_, proof_ in probes:
        assert not verify_inclusion(at, size_, leaf_, proof_, root_), (at, size_)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_match_the_vectors_and_verify(old, new, proof) -> None:
    assert consistency_proof(HASHED[:new], old) == proof
    assert verify_consistency(old, new, proof, ROOTS[old - 1], ROOTS[new - 1])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_a_corrupted_consistency_proof_never_verifies(old, new, proof) -> None:
    root1, root2 = ROOTS[old - 1], ROOTS[new - 1]
    probes = [
        (old - 1, new, proof, root1, root2),
        (old + 1, new, proof, root1, root2),
        (old ^ 2, new, proof, root1, root2),
        (old, new * 2, proof, root1, root2),
        (old, new // 2, proof, root1, root2),
        (old, new, proof, leaf_hash(b"WrongRoot"), root2),
        (old, new, proof, root1, leaf_hash(b"WrongRoot")),
        (old, new, proof, root2, root1),
        (old, new, [], root1, root2),
        (old, new, [*proof, b""], root1, root2),
        (old, new, [*proof, root1], root1, root2),
        (old, new, [*proof, root2], root1, root2),
        (old, new, [b"", *proof], root1, root2),
        (old, new, [root1, *proof], root1, root2),
        (old, new, [root2, *proof], root1, root2),
        (old, new, [proof[0], *proof], root1, root2),
        (old, new, proof[:-1], root1, root2),
        *[(old, new, flipped(proof, at, 16), root1, root2) for at in range(len(proof))],
    ]
    for probe in probes:
        assert not verify_consistency(*probe), probe[:2]


def test_trivial_consistency_holds_only_with_an_empty_proof() -> None:
    assert verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    assert verify_consistency(0, 5, [], EMPTY_ROOT, ROOTS[4])
    assert verify_consistency(3, 3, [], ROOTS[2], ROOTS[2])
    assert not verify_consistency(3, 3, [], ROOTS[2], ROOTS[3])
    assert not verify_consistency(1, 1, [EMPTY_ROOT], ROOTS[0], ROOTS[0])
    assert not verify_consistency(2, 1, [], ROOTS[1], ROOTS[0])


def test_every_proof_in_a_larger_tree_verifies() -> None:
    leaves = [leaf_hash(str(n).encode()) for n in range(37)]
    for size in range(1, 38):
        root = tree_root(leaves[:size])
        for index in range(size):
            proof = inclusion_proof(leaves[:size], index)
            assert verify_inclusion(index, size, leaves[index], proof, root)
        for old in range(size + 1):
            proof = consistency_proof(leaves[:size], old)
            assert verify_consistency(old, size, proof, tree_root(leaves[:old]), root)
