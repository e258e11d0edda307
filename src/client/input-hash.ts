/**
 * @module client/input-hash
 * The digest of a start's input that `onInputMismatch: 'error'` compares:
 * SHA-256 of the input's canonical JSON (object keys sorted), so the same
 * value gives the same digest whatever the key order it was built in.
 *
 * What must hold: the digest of a value never changes between processes or
 * versions, since digests are stored with instances.
 */
import { createHash } from 'node:crypto';

export function inputHash(input: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(input ?? null))
    .digest('base64url');
}

/** JSON with object keys in code-point order; the input was already normalised to plain JSON values. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
