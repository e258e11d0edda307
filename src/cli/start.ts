/**
 * @module cli/start
 * `perdure start`: opens the store, runs the workers, serves HTTP, and
 * shuts all of it down on SIGINT or SIGTERM.
 *
 * What must hold:
 * - Nothing is opened or bound before every setting has been checked,
 *   including the host-key rule for non-loopback addresses.
 * - Timer functions become durable schedules (timer-schedules.ts) before
 *   the host is created, so the host fires them like any schedule.
 * - Shutdown order: stop accepting HTTP (letting in-flight requests
 *   finish), then `host.stop()` (finish in-flight turns, hand back running
 *   activities, timer handlers included, close the store), then exit 0. A
 *   second signal exits at once.
 */
import { assertSafeBinding } from '../http/auth.ts';
import { isKeyless, resolveKeys } from '../runtime/keys.ts';
import { createHttpApp } from '../http/create-http-app.ts';
import { serveHttp, type HttpServer } from '../http/serve.ts';
import { registerTimerSchedules, triggerStartupTimers } from '../azure-functions/timer-schedules.ts';
import type { FunctionApp } from '../runtime/app.ts';
import { createHost, type Host } from '../runtime/host.ts';
import type { StartFlags } from './start-command.ts';
import { formatBanner } from './banner.ts';
import { resolveSettings, type Settings } from './config.ts';
import { functionsAppDir, loadFunctionsApp, loadLocalSettings, type FunctionsApp } from './functions-app.ts';
import { loadApp } from './load-app.ts';
import { loggerFromFlags } from './log-options.ts';

/** Resolves once the server is listening; the process then lives until a signal. */
export async function start(flags: StartFlags): Promise<void> {
  // An Azure Functions app's local settings are environment variables, PERDURE_* ones included: read them first.
  const functionsDir = functionsAppDir(flags.appModule, process.cwd());
  if (functionsDir !== undefined) loadLocalSettings(functionsDir);
  const logger = loggerFromFlags(flags);
  const settings = await resolveSettings(flags, process.env, process.cwd());
  const { keys, limits, showStackPaths } = settings.server;
  assertSafeBinding(settings.host, resolveKeys(keys));
  const functions = functionsDir === undefined ? undefined : await loadFunctionsApp(functionsDir);
  const app: FunctionApp = functions?.app ?? (await loadApp(settings.appModule));
  const routePrefix = functions?.routePrefix === undefined ? {} : { routePrefix: functions.routePrefix };
  // Timers run on durable schedules, registered before the host exists; their activity reaches the host through these.
  const served: { host?: Host; origin: string } = { origin: '' };
  if (functions) registerTimerSchedules(app, functions.timers, { client: () => served.host!.client, origin: () => served.origin, logger });
  const host = await createHost({ app, store: settings.store, ...settings.hostTuning, keys, showStackPaths, logger });
  served.host = host;
  let server: HttpServer;
  try {
    const allowedHosts = allowedHostsFor(settings, isKeyless(host.keys));
    const http = createHttpApp(host, { maxBodyBytes: settings.maxBodyBytes, ...(allowedHosts ? { allowedHosts } : {}), ...routePrefix });
    server = await serveHttp({ fetch: http.fetch, port: settings.port, hostname: settings.host, keys, ...limits });
  } catch (error) {
    await host.stop();
    throw error;
  }
  const { configPath } = settings;
  const workers = settings.hostTuning.workers !== false;
  served.origin = server.url;
  if (functions) await triggerStartupTimers(host.client, functions.timers);
  const banner = { url: server.url, store: host.store.description, app, keys: host.keys, configPath, workers };
  // Signal handlers go in before the banner: whoever waits for "Listening on" may signal at once.
  stopOnSignals(server, host);
  console.log(formatBanner({ ...banner, ...functionsBanner(functions) }));
}

function functionsBanner(functions: FunctionsApp | undefined) {
  if (!functions) return {};
  const timers = functions.timers.map((t) => ({ name: t.name, schedule: t.schedule.expression }));
  return { timers, ...(functions.routePrefix === undefined ? {} : { routePrefix: functions.routePrefix }) };
}

function stopOnSignals(server: HttpServer, host: Host): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`Received ${signal} again; exiting without waiting.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`Received ${signal}; stopping (send it again to exit at once)...`);
    void shutdown(server, host).then(
      () => {
        console.log('Host stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function shutdown(server: HttpServer, host: Host): Promise<void> {
  // Waiting requests (start-and-wait) answer 202 with their check-status payload now, while the server can still reply.
  host.client.interruptWaits();
  await server.close(5_000);
  await host.stop();
}

/**
 * Without keys the Host check always runs, and the bound name counts as
 * this server's besides loopback names. With keys it runs only when host
 * names are configured: a server reached through a proxy or a DNS name
 * cannot know the names it is reached under.
 */
function allowedHostsFor(settings: Settings, keyless: boolean): readonly string[] | undefined {
  const configured = settings.server.allowedHosts;
  return keyless ? [...(configured ?? []), settings.host] : configured;
}
