/**
 * @module azure-functions/unsupported
 * The one error for what the compatibility modules do not implement.
 *
 * What must hold:
 * - The message names the feature and the call that asked for it, so the
 *   first run of an app that needs it says exactly what is missing.
 */
export class UnsupportedFeatureError extends Error {
  override name = 'UnsupportedFeatureError';
  constructor(
    readonly feature: string,
    detail: string,
  ) {
    super(`${feature} is not supported by Perdure: ${detail}`);
  }
}

/** For the trigger kinds Azure Functions offers and Perdure does not run. */
export function unsupportedTrigger(kind: string, call: string, functionName: string, options?: unknown): never {
  const type = (options as { trigger?: { type?: unknown } } | undefined)?.trigger?.type;
  const declared = typeof type === 'string' ? ` (trigger type '${type}')` : '';
  throw new UnsupportedFeatureError(
    `The ${kind} trigger`,
    `${call}('${functionName}')${declared} cannot be served; Perdure runs HTTP and timer triggers, orchestrations and activities.`,
  );
}
