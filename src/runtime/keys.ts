/**
 * @module runtime/keys
 * The host's access keys, on the Azure Functions model:
 * - the **master key** opens everything (triggers of every level and the
 *   management API);
 * - the **system key** (Durable Functions' `durabletask_extension` key)
 *   opens only the management API under `/runtime/webhooks/durabletask`;
 * - **function keys** open only `authLevel: 'function'` triggers.
 *
 * What must hold:
 * - No key at all is "keyless mode": everything is open, which the HTTP
 *   layer allows on loopback only, with its browser-safety checks.
 * - Once any key is set, a level whose keys are all unset is closed, never open.
 * - A malformed key is a ValidationError naming the setting, checked before
 *   anything is opened. `hostKey`, the setting of earlier versions, is the
 *   master key under its old name: it kept that meaning (everything).
 */
import { ValidationError } from '../model/errors.ts';

export interface HostKeys {
  /** Opens every route: the management API and triggers of every auth level. */
  readonly masterKey?: string;
  /** Opens only the management API (`/runtime/webhooks/durabletask`). */
  readonly systemKey?: string;
  /** Each opens every `authLevel: 'function'` trigger (several, so a key can be rotated). */
  readonly functionKeys?: readonly string[];
}

/** Keys with the old `hostKey` folded in and every value checked. */
export interface ResolvedKeys {
  readonly masterKey: string | undefined;
  readonly systemKey: string | undefined;
  readonly functionKeys: readonly string[];
}

export const NO_KEYS: ResolvedKeys = { masterKey: undefined, systemKey: undefined, functionKeys: [] };

/** URL-safe (base64 and base64url alphabets), long enough not to be guessed, short enough for a URL. */
const KEY_PATTERN = /^[A-Za-z0-9\-._~+/=]{16,256}$/;

export function validateKey(value: unknown, field: string): string {
  if (typeof value !== 'string' || !KEY_PATTERN.test(value)) {
    throw new ValidationError(
      field,
      'must be 16 to 256 characters of letters, digits and - . _ ~ + / = (generate one with `openssl rand -base64 32`)',
    );
  }
  return value;
}

export function resolveKeys(keys: HostKeys | undefined, hostKey?: string): ResolvedKeys {
  if (keys !== undefined && (keys === null || typeof keys !== 'object')) throw new ValidationError('keys', 'must be an object');
  const master = keys?.masterKey === undefined ? undefined : validateKey(keys.masterKey, 'keys.masterKey');
  const legacy = hostKey === undefined || hostKey === '' ? undefined : validateKey(hostKey, 'hostKey');
  if (master !== undefined && legacy !== undefined && master !== legacy) {
    throw new ValidationError('hostKey', 'is the old name of keys.masterKey; set one of them, not both');
  }
  const systemKey = keys?.systemKey === undefined ? undefined : validateKey(keys.systemKey, 'keys.systemKey');
  const functionKeys = functionKeyList(keys?.functionKeys);
  return { masterKey: master ?? legacy, systemKey, functionKeys };
}

function functionKeyList(value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ValidationError('keys.functionKeys', 'must be an array of keys');
  return value.map((key, index) => validateKey(key, `keys.functionKeys[${index}]`));
}

export function isKeyless(keys: ResolvedKeys): boolean {
  return keys.masterKey === undefined && keys.systemKey === undefined && keys.functionKeys.length === 0;
}

/** The key that check-status URLs carry when asked to: the system key, or else the master key. */
export function managementKeyOf(keys: ResolvedKeys): string | undefined {
  return keys.systemKey ?? keys.masterKey;
}
