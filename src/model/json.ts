/**
 * @module json
 * Inputs, outputs and event payloads are JSON. A value that JSON would
 * silently mangle (functions, symbols, BigInt, cycles, NaN) is rejected at
 * the call, so it can never fail later inside a worker.
 */
import { PayloadTooLargeError, ValidationError } from './errors.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Checks that `value` round-trips through JSON and fits the limit; returns the JSON text. */
export function serializePayload(value: unknown, field: string, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES): string | undefined {
  if (value === undefined) return undefined;
  assertJsonSafe(value, field, new Set());
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) throw new PayloadTooLargeError(field, bytes, maxBytes);
  return text;
}

/** Like serializePayload, but returns the value as JSON will give it back. */
export function normalizePayload(value: unknown, field: string, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES): unknown {
  // Primitives come back from JSON as they are (only -0 turns into 0), so they skip the round trip.
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return value === 0 ? 0 : value;
      break;
    case 'string':
      // Escaped, one UTF-16 unit is at most 6 bytes: a string this short is under the limit whatever it holds.
      if (value.length * 6 + 2 <= maxBytes) return value;
      break;
    case 'object':
      if (value === null) return null;
  }
  const text = serializePayload(value, field, maxBytes);
  return text === undefined ? undefined : JSON.parse(text);
}

function assertJsonSafe(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new ValidationError(path, `${value} is not representable in JSON`);
      return;
    case 'bigint':
      throw new ValidationError(path, 'BigInt is not JSON-serializable; convert it to a string');
    case 'function':
    case 'symbol':
      throw new ValidationError(path, `a ${typeof value} is not JSON-serializable`);
    case 'undefined':
      return;
    case 'object':
      if (value === null) return;
      assertJsonSafeObject(value, path, seen);
  }
}

function assertJsonSafeObject(value: object, path: string, seen: Set<object>): void {
  if (seen.has(value)) throw new ValidationError(path, 'contains a circular reference');
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return;
  seen.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertJsonSafe(item, `${path}[${index}]`, seen));
  } else {
    for (const [key, item] of Object.entries(value)) assertJsonSafe(item, `${path}.${key}`, seen);
  }
  seen.delete(value);
}
