/**
 * @module guid
 * Name-based (version 5 style) UUIDs, so `ctx.newGuid()` returns the same
 * value on every replay without reading a random source; and, from the same
 * kind of hash, deterministic draws in [0, 1) for retry jitter.
 */
import { createHash } from 'node:crypto';

export function deterministicGuid(instanceId: string, turnTime: string, counter: number): string {
  const hash = createHash('sha1').update(`${instanceId}\u0000${turnTime}\u0000${counter}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A draw in [0, 1) that depends only on its arguments: the same on every replay. */
export function deterministicFraction(instanceId: string, turnTime: string, counter: number): number {
  const hash = createHash('sha1').update(`random\u0000${instanceId}\u0000${turnTime}\u0000${counter}`).digest();
  return hash.readUInt32BE(0) / 2 ** 32;
}
