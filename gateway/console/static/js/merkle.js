// The event log's Merkle tree checks of RFC 9162 (section 2.1), done in the browser with
// WebCrypto so that an auditor need not take the server's word: a leaf is SHA-256(0x00 ||
// entry hash), a node SHA-256(0x01 || left || right). verifyInclusion and verifyConsistency
// follow the RFC's algorithms (2.1.3.2 and 2.1.4.2) line by line, as shared/eventlog/merkle.py
// does on the server; the browser tests check the two agree on every index of trees of 1 to
// 40 leaves.

import { fromHex, sha256, toHex } from "./digest.js";

function joined(prefix, ...parts) {
  const bytes = new Uint8Array(1 + parts.reduce((n, p) => n + p.length, 0));
  bytes[0] = prefix;
  let at = 1;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

const same = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);

export const leafHash = (entryHash) => sha256(joined(0x00, entryHash));
export const nodeHash = (left, right) => sha256(joined(0x01, left, right));

/** True when ``proof`` (byte arrays) shows ``leaf`` at ``index`` in the tree of ``size``
 * whose root is ``root``. Sizes and indexes stay below 2^53, so plain numbers serve. */
export async function verifyInclusion(index, size, leaf, proof, root) {
  if (!(index >= 0 && index < size) || proof.some((node) => node.length !== 32)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const node of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(node, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, node);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(r, root);
}

/** True when ``proof`` shows the tree of ``size1`` (``root1``) is a prefix of the tree of
 * ``size2`` (``root2``): the log only grew between them. */
export async function verifyConsistency(size1, size2, proof, root1, root2) {
  if (!(size1 >= 0 && size1 <= size2) || proof.some((node) => node.length !== 32)) return false;
  if (size1 === size2) return proof.length === 0 && same(root1, root2);
  if (size1 === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (size1 & (size1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const node of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(node, fr);
      sr = await nodeHash(node, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await nodeHash(sr, node);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(fr, root1) && same(sr, root2);
}

const bytesOf = (hex) => fromHex(hex) || new Uint8Array(0);

/**
 * Check an inclusion proof of the API (GET /audit/proofs/inclusion) against the entry's own
 * hash (from /audit/events), step by step: the leaf computed here is the proof's, the audit
 * path leads from it to the root, and the root is the one its checkpoint signed at that size.
 * Answers {ok, steps: [{step, ok}]}; ``ok`` only when every step holds.
 */
export async function checkInclusion(proof, entryHash) {
  const leaf = await leafHash(bytesOf(entryHash));
  const path = proof.path.map(bytesOf);
  const checkpoint = proof.checkpoint;
  const steps = [
    { step: "leaf", ok: toHex(leaf) === proof.leaf_hash },
    { step: "path", ok: await verifyInclusion(proof.leaf_index, proof.tree_size, leaf, path, bytesOf(proof.root)) },
    { step: "checkpoint", ok: Boolean(checkpoint) && checkpoint.merkle_root === proof.root && checkpoint.position === proof.tree_size },
  ];
  return { ok: steps.every((s) => s.ok), steps };
}

/** Check a consistency proof of the API against the two checkpoints' signed roots. */
export async function checkConsistency(proof, older, newer) {
  const steps = [
    { step: "roots", ok: proof.old_root === older.merkle_root && proof.new_root === newer.merkle_root },
    {
      step: "path",
      ok: await verifyConsistency(proof.old_size, proof.new_size, proof.path.map(bytesOf), bytesOf(older.merkle_root), bytesOf(newer.merkle_root)),
    },
  ];
  return { ok: steps.every((s) => s.ok), steps };
}
