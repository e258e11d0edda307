/**
 * @module cli/load-app
 * Loads the user's app module. A module may `export default` its own
 * FunctionApp; otherwise it registered on the default `app` as it loaded,
 * Azure Functions style, and that one is used.
 *
 * What must hold:
 * - A missing module is a CliError (exit 2); an error thrown by the
 *   module's own code propagates with its stack, since that is the user's bug.
 * - An app with no functions is refused: it is almost always a wrong path.
 */
import { existsSync } from 'node:fs';
import { app as defaultApp, type FunctionApp } from '../runtime/app.ts';
import { CliError } from './cli-error.ts';
import { importModule } from './import-module.ts';

export async function loadApp(modulePath: string): Promise<FunctionApp> {
  if (!existsSync(modulePath)) throw new CliError(`App module not found: ${modulePath}`);
  const loaded = (await importModule(modulePath)) as { default?: unknown };
  const app = isFunctionApp(loaded.default) ? loaded.default : defaultApp;
  if (app.functions.length === 0) {
    throw new CliError(`${modulePath} registered no functions: export default a FunctionApp, or register on the app exported by perdure.`);
  }
  return app;
}

/** Duck-typed, so an app built by another copy of the package is still recognised. */
function isFunctionApp(value: unknown): value is FunctionApp {
  const candidate = value as Partial<FunctionApp> | undefined;
  return typeof candidate?.getOrchestration === 'function' && Array.isArray(candidate.functions) && Array.isArray(candidate.httpTriggers);
}
