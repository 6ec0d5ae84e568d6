// SHA-256 in the browser (WebCrypto), for what the console checks itself rather than taking
// the server's word: a document's text against the hash a student signs, and the event log's
// Merkle proofs (merkle.js). WebCrypto exists only in a secure context: HTTPS, or the
// gateway reached at 127.0.0.1/localhost.

/** Whether this page may hash (false over plain HTTP to another host). */
export function canHash() {
  return Boolean(globalThis.crypto && crypto.subtle);
}

/** SHA-256 of ``bytes`` (Uint8Array) as a Uint8Array of 32. */
export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The bytes of a hex string; null if it is not one. */
export function fromHex(hex) {
  if (typeof hex !== "string" || hex.length % 2 || /[^0-9a-fA-F]/.test(hex)) return null;
  return Uint8Array.from(hex.match(/../g) || [], (pair) => parseInt(pair, 16));
}

/** "sha256:<hex>" of a text's UTF-8 bytes, as the API names a document's content. */
export async function contentHash(text) {
  return `sha256:${toHex(await sha256(new TextEncoder().encode(text)))}`;
}
