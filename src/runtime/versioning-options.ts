/**
 * @module versioning-options
 * The host's orchestration-versioning options (Durable Functions'
 * `defaultVersion`, `versionMatchStrategy`, `versionFailureStrategy`),
 * checked before anything starts.
 *
 * What must hold: a host given none of them behaves as before versioning
 * existed (no version stamped, every instance run). With `defaultVersion`
 * set, the match defaults to 'currentOrOlder' and the mismatch action to
 * 'reject', so a host never runs an instance newer than its code.
 */
import { ValidationError } from '../model/errors.ts';
import {
  validateVersion,
  VERSION_MATCHES,
  VERSION_MISMATCH_ACTIONS,
  type VersionMatch,
  type VersionMismatchAction,
} from '../model/version.ts';

export interface VersioningOptions {
  /** The version of this host's orchestration code: stamped on every start that names none. */
  readonly defaultVersion?: string;
  /** Which instance versions this host runs (default 'currentOrOlder' with a defaultVersion, else 'none'). */
  readonly versionMatch?: VersionMatch;
  /** What it does with the others (default 'reject': hand back, for a host that accepts them). */
  readonly onVersionMismatch?: VersionMismatchAction;
}

export interface ResolvedVersioning {
  readonly defaultVersion: string | undefined;
  /** The worker's policy; undefined when it runs every version. */
  readonly policy: { readonly version: string; readonly match: VersionMatch; readonly onMismatch: VersionMismatchAction } | undefined;
}

export function resolveVersioning(options: VersioningOptions): ResolvedVersioning {
  const defaultVersion = options.defaultVersion === undefined ? undefined : validateVersion(options.defaultVersion, 'defaultVersion');
  const match = options.versionMatch ?? (defaultVersion === undefined ? 'none' : 'currentOrOlder');
  if (!VERSION_MATCHES.includes(match)) {
    throw new ValidationError('versionMatch', `must be one of ${VERSION_MATCHES.join(', ')} (got ${JSON.stringify(match)})`);
  }
  const onMismatch = options.onVersionMismatch ?? 'reject';
  if (!VERSION_MISMATCH_ACTIONS.includes(onMismatch)) {
    throw new ValidationError(
      'onVersionMismatch',
      `must be one of ${VERSION_MISMATCH_ACTIONS.join(', ')} (got ${JSON.stringify(onMismatch)})`,
    );
  }
  return {
    defaultVersion,
    policy: match === 'none' ? undefined : { version: defaultVersion ?? '', match, onMismatch },
  };
}
