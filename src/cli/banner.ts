/**
 * @module cli/banner
 * The startup summary, laid out like the Azure Functions host's: where it
 * listens, the store, and each function with its trigger (and URL for HTTP
 * triggers). The host key itself is never printed.
 */
import { triggerUrl } from '../http/app-routes.ts';
import { MANAGEMENT_BASE_PATH } from '../http/management-routes.ts';
import type { FunctionApp, FunctionDefinition } from '../runtime/app.ts';

export interface BannerInfo {
  readonly url: string;
  readonly store: string;
  readonly app: FunctionApp;
  readonly hostKey: string | undefined;
  readonly configPath: string | undefined;
  readonly workers: boolean;
}

export function formatBanner(info: BannerInfo): string {
  const lines = [
    `Perdure host started (pid ${process.pid})`,
    `Listening on ${info.url}`,
    `Store: ${info.store}`,
    ...(info.configPath ? [`Config: ${info.configPath}`] : []),
    ...(info.workers ? [] : ['Workers: off (this host only serves HTTP; other processes on the store do the work)']),
    `Host key: ${info.hostKey ? 'required for the management API and authLevel "function" triggers' : 'none (loopback only)'}`,
    `Management API: ${info.url}${MANAGEMENT_BASE_PATH}/instances`,
    '',
    'Functions:',
    '',
  ];
  for (const definition of info.app.functions) lines.push(`\t${describe(definition, info.url)}`, '');
  return lines.join('\n');
}

function describe(definition: FunctionDefinition, origin: string): string {
  switch (definition.kind) {
    case 'orchestration':
      return `${definition.name}: orchestrationTrigger`;
    case 'activity':
      return `${definition.name}: activityTrigger`;
    case 'http':
      return `${definition.name}: [${definition.methods.join(',')}] ${triggerUrl(origin, definition)}`;
  }
}
