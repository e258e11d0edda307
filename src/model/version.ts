/**
 * @module version
 * Orchestration versions (Durable Functions' orchestration versioning): a
 * string fixed on the ExecutionStarted event, compared with the version of
 * the code a host runs.
 *
 * What must hold: the comparison is a total order that the same two strings
 * always answer the same way. Dotted numbers compare part by part as numbers
 * (`1.10` > `1.9`, `2` = `2.0`); anything else compares as text, ignoring
 * case (as Durable Functions does). No version
 * ('' or absent) is older than every version.
 */
import { ValidationError } from './errors.ts';
import { assertNoControlCharacters } from './instance-id.ts';

export const MAX_VERSION_LENGTH = 100;

/** Which instances a host runs, by version: any; only its own; its own and older. */
export type VersionMatch = 'none' | 'strict' | 'currentOrOlder';
/** What a host does with an instance it must not run: hand it back for another host, or fail it. */
export type VersionMismatchAction = 'reject' | 'fail';

export const VERSION_MATCHES: readonly VersionMatch[] = ['none', 'strict', 'currentOrOlder'];
export const VERSION_MISMATCH_ACTIONS: readonly VersionMismatchAction[] = ['reject', 'fail'];

export function validateVersion(value: unknown, field = 'version'): string {
  if (typeof value !== 'string') throw new ValidationError(field, `must be a string (got ${JSON.stringify(value)})`);
  if (value.length > MAX_VERSION_LENGTH) throw new ValidationError(field, `must be at most ${MAX_VERSION_LENGTH} characters`);
  assertNoControlCharacters(value, field);
  return value;
}

const DOTTED = /^\d+(\.\d+)*$/;

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`. */
export function compareVersions(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '' || b === '') return a === '' ? -1 : 1;
  if (DOTTED.test(a) && DOTTED.test(b)) {
    const x = a.split('.').map(Number);
    const y = b.split('.').map(Number);
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const d = (x[i] ?? 0) - (y[i] ?? 0);
      if (d !== 0) return Math.sign(d);
    }
    return 0;
  }
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Whether a host whose code is `hostVersion` may run an instance of `instanceVersion`. */
export function versionAccepted(match: VersionMatch, instanceVersion: string, hostVersion: string): boolean {
  if (match === 'none') return true;
  const order = compareVersions(instanceVersion, hostVersion);
  return match === 'strict' ? order === 0 : order <= 0;
}
