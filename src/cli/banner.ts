/**
 * @module cli/banner
 * The startup summary, laid out like the Azure Functions host's: where it
 * listens, the store, and each function with its trigger (and URL for HTTP
 * triggers). Which kinds of key are set is printed; a key itself never is.
 */
import { appBasePath, triggerUrl } from '../http/app-routes.ts';
import { MANAGEMENT_BASE_PATH } from '../http/management-routes.ts';
import type { FunctionApp, FunctionDefinition } from '../runtime/app.ts';
import { isKeyless, type ResolvedKeys } from '../runtime/keys.ts';

export interface BannerInfo {
  readonly url: string;
  readonly store: string;
  readonly app: FunctionApp;
  readonly keys: ResolvedKeys;
  readonly configPath: string | undefined;
  readonly workers: boolean;
  /** Workers run in an engine thread (decision 0038); false: on the thread that serves HTTP. */
  readonly engineThread?: boolean;
  /** An Azure Functions app's timer triggers. */
  readonly timers?: readonly { readonly name: string; readonly schedule: string }[];
  /** host.json's route prefix, when the app sets one. */
  readonly routePrefix?: string;
}

export function formatBanner(info: BannerInfo): string {
  const lines = [
    `Perdure host started (pid ${process.pid})`,
    `Listening on ${info.url}`,
    `Store: ${info.store}`,
    ...(info.configPath ? [`Config: ${info.configPath}`] : []),
    ...(info.workers ? [] : ['Workers: off (this host only serves HTTP; other processes on the store do the work)']),
    ...(info.workers && info.engineThread === false ? ['Workers: on the HTTP thread (engine thread off)'] : []),
    ...(info.workers && info.engineThread === true ? ['Workers: engine thread'] : []),
    `Keys: ${describeKeys(info.keys)}`,
    `Management API: ${info.url}${MANAGEMENT_BASE_PATH}/instances`,
    '',
    'Functions:',
    '',
  ];
  const basePath = appBasePath(info.routePrefix);
  for (const definition of info.app.functions) lines.push(`\t${describe(definition, info.url, basePath)}`, '');
  for (const timer of info.timers ?? []) lines.push(`\t${timer.name}: timerTrigger (${timer.schedule}; runs on this host)`, '');
  return lines.join('\n');
}

function describe(definition: FunctionDefinition, origin: string, basePath: string): string {
  switch (definition.kind) {
    case 'orchestration':
      return `${definition.name}: orchestrationTrigger`;
    case 'activity':
      return `${definition.name}: activityTrigger`;
    case 'entity':
      return `${definition.name}: entityTrigger`;
    case 'http':
      return `${definition.name}: [${definition.methods.join(',')}] ${triggerUrl(origin, definition, basePath)}`;
  }
}

function describeKeys(keys: ResolvedKeys): string {
  if (isKeyless(keys)) return 'none (loopback only; browser checks on)';
  const kinds = [
    keys.masterKey === undefined ? undefined : 'master',
    keys.systemKey === undefined ? undefined : 'system (management API)',
    keys.functionKeys.length === 0 ? undefined : `${keys.functionKeys.length} function`,
  ].filter(Boolean);
  return `${kinds.join(', ')}`;
}
