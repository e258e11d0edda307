/**
 * @module json
 * Inputs, outputs and event payloads are JSON. A value that JSON would
 * silently mangle (functions, symbols, BigInt, cycles, NaN) is rejected at
 * the call, so it can never fail later inside a worker.
 *
 * What must hold:
 * - Every check here is iterative (an explicit stack, never recursion), so
 *   no input, however deep, can exhaust the call stack: a value nested
 *   deeper than `MAX_JSON_DEPTH` is a ValidationError naming the limit,
 *   never a RangeError.
 */
import { PayloadTooLargeError, ValidationError } from './errors.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
/**
 * The deepest nesting of arrays and objects a payload may have. Real
 * payloads rarely pass 20; 64 leaves room while staying far below what
 * recursive JSON code (JSON.stringify included) can survive.
 */
export const MAX_JSON_DEPTH = 64;

/** Checks that `value` round-trips through JSON and fits the limit; returns the JSON text. */
export function serializePayload(value: unknown, field: string, maxBytes = DEFAULT_MAX_PAYLOAD_BYTES): string | undefined {
  if (value === undefined) return undefined;
  assertJsonSafe(value, field);
  const text = stringify(value, field);
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

/** A `toJSON` can still return something too deep for JSON.stringify's own recursion: that too is a ValidationError. */
function stringify(value: unknown, field: string): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(field, MAX_JSON_DEPTH);
    throw new ValidationError(field, `is not JSON-serializable (${(error as Error).message})`);
  }
}

/** Throws a ValidationError naming `field` when parsed JSON nests deeper than `MAX_JSON_DEPTH`. */
export function assertJsonDepth(value: unknown, field: string, maxDepth = MAX_JSON_DEPTH): void {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > maxDepth) throw tooDeep(field, maxDepth);
    for (const item of Object.values(current)) if (item !== null && typeof item === 'object') stack.push({ value: item, depth: depth + 1 });
  }
}

interface Frame {
  readonly value: unknown;
  readonly path: string;
  readonly depth: number;
}

/** One pass over the value with an explicit stack; `ancestors` holds the objects on the current path, for cycles. */
function assertJsonSafe(root: unknown, field: string): void {
  const stack: (Frame | { readonly leave: object })[] = [{ value: root, path: field, depth: 0 }];
  const ancestors = new Set<object>();
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if ('leave' in frame) {
      ancestors.delete(frame.leave);
      continue;
    }
    const object = checkScalar(frame.value, frame.path);
    if (object === undefined) continue;
    if (ancestors.has(object)) throw new ValidationError(frame.path, 'contains a circular reference');
    if (typeof (object as { toJSON?: unknown }).toJSON === 'function') continue;
    if (frame.depth + 1 > MAX_JSON_DEPTH) throw tooDeep(field, MAX_JSON_DEPTH);
    ancestors.add(object);
    stack.push({ leave: object });
    const entries: [string, unknown][] = Array.isArray(object)
      ? object.map((item, index) => [`${frame.path}[${index}]`, item])
      : Object.entries(object).map(([key, item]) => [`${frame.path}.${key}`, item]);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [path, value] = entries[i]!;
      stack.push({ value, path, depth: frame.depth + 1 });
    }
  }
}

/** Throws for a value JSON cannot hold; returns the object to descend into, if any. */
function checkScalar(value: unknown, path: string): object | undefined {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new ValidationError(path, `${value} is not representable in JSON`);
      return undefined;
    case 'bigint':
      throw new ValidationError(path, 'BigInt is not JSON-serializable; convert it to a string');
    case 'function':
    case 'symbol':
      throw new ValidationError(path, `a ${typeof value} is not JSON-serializable`);
    case 'object':
      return value ?? undefined;
    default:
      return undefined;
  }
}

function tooDeep(field: string, maxDepth: number): ValidationError {
  return new ValidationError(field, `nests deeper than ${maxDepth} levels (the limit for JSON payloads)`);
}
