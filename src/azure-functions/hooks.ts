/**
 * @module azure-functions/hooks
 * `app.hook.*` of `@azure/functions` v4. Perdure does not run invocation or
 * app lifecycle hooks; registering one throws, so an app that relies on a
 * hook learns it at load instead of silently running without it.
 */
import { UnsupportedFeatureError } from './unsupported.ts';

const refuse = (name: string) => (): never => {
  throw new UnsupportedFeatureError(`app.hook.${name}`, 'Perdure does not run @azure/functions hooks.');
};

export const hook = {
  appStart: refuse('appStart'),
  appTerminate: refuse('appTerminate'),
  preInvocation: refuse('preInvocation'),
  postInvocation: refuse('postInvocation'),
  log: refuse('log'),
};
