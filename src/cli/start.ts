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
import { withDefaults } from '../runtime/host-options.ts';
import type { Logger } from '../runtime/logger.ts';
import { createEngineLink, type EngineLink } from './engine-link.ts';
import { mergedMetrics } from './engine-metrics.ts';
import { storeOptionsFor, type EngineData } from './engine-protocol.ts';
import { createThreadWriteLock } from '../store/open-store.ts';

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
  const workers = settings.hostTuning.workers !== false;
  let server: HttpServer | undefined;
  const onDeath = (reason: string) => exitOnEngineDeath(reason, server, logger);
  // An in-memory SQLite store is one per connection: a thread opening it again would see another, empty store.
  const shareable = !/^sqlite::memory:$/i.test(settings.store);
  const threaded = workers && settings.engineThread && shareable;
  // Both threads' connections to one SQLite file take turns through a shared lock instead of SQLite's busy sleeps
  // (a PostgreSQL store ignores it).
  const sqliteWriteLock = threaded ? createThreadWriteLock() : undefined;
  const engine = threaded ? engineLinkFor(settings, flags, functionsDir, app, logger, onDeath, sqliteWriteLock) : undefined;
  // Timers run on durable schedules, registered before the host exists; their activity reaches the host through these.
  // With an engine thread they run there, but are registered here too, so that both threads' apps are the same.
  const served: { host?: Host; origin: string } = { origin: '' };
  if (functions) registerTimerSchedules(app, functions.timers, { client: () => served.host!.client, origin: () => served.origin, logger });
  const hostOptions = { app, store: settings.store, ...settings.hostTuning, keys, showStackPaths, logger };
  // With an engine thread this thread's host is client-only: the engine runs the workers, schedules and retention.
  const host = engine
    ? await createHost(
        { ...hostOptions, workers: false },
        { completions: engine.completions, remoteWorkers: engine.remote, ...storeOptionsFor(sqliteWriteLock) },
      )
    : await createHost(hostOptions);
  served.host = host;
  try {
    await engine?.start();
    const allowedHosts = allowedHostsFor(settings, isKeyless(host.keys));
    const metrics = engine ? mergedMetrics(host.metrics, (timeoutMs) => engine.metrics(timeoutMs)) : host.metrics;
    const http = createHttpApp(
      { ...host, metrics },
      { maxBodyBytes: settings.maxBodyBytes, ...(allowedHosts ? { allowedHosts } : {}), ...routePrefix },
    );
    server = await serveHttp({ fetch: http.fetch, port: settings.port, hostname: settings.host, keys, ...limits });
  } catch (error) {
    await engine?.stop(0);
    await host.stop();
    throw error;
  }
  const { configPath } = settings;
  served.origin = server.url;
  engine?.setOrigin(server.url);
  if (functions) await triggerStartupTimers(host.client, functions.timers);
  const banner = {
    url: server.url,
    store: host.store.description,
    app,
    keys: host.keys,
    configPath,
    workers,
    engineThread: engine !== undefined,
  };
  // Signal handlers go in before the banner: whoever waits for "Listening on" may signal at once.
  // The engine gets the activities' grace, plus a turn's budget and a second to finish its turns and close the store.
  const tuning = withDefaults(settings.hostTuning);
  const graceMs = tuning.shutdownGraceMs + tuning.orchestrations.turnBudgetMs + 1_000;
  const listening = server;
  stopOnSignals(() => shutdown(listening, host, engine, graceMs));
  console.log(formatBanner({ ...banner, ...functionsBanner(functions) }));
}

/** The engine thread loads the same app (or functions folder) and opens the same store, with this thread's settings. */
function engineLinkFor(
  settings: Settings,
  flags: StartFlags,
  functionsDir: string | undefined,
  app: FunctionApp,
  logger: Logger,
  onDeath: (reason: string) => void,
  sqliteWriteLock: Int32Array | undefined,
): EngineLink {
  const logFormat = flags.logFormat === 'json' || flags.logFormat === 'pretty' ? flags.logFormat : process.stderr.isTTY ? 'pretty' : 'json';
  const data: EngineData = {
    appModule: settings.appModule,
    ...(functionsDir === undefined ? {} : { functionsDir }),
    store: settings.store,
    hostTuning: settings.hostTuning,
    keys: settings.server.keys,
    showStackPaths: settings.server.showStackPaths === true,
    log: { logFormat, ...(flags.logLevel === undefined ? {} : { logLevel: flags.logLevel }) },
    ...(sqliteWriteLock ? { sqliteWriteLock } : {}),
  };
  return createEngineLink({ data, app, logger, onDeath });
}

/**
 * An engine thread that exits on its own (a crash, an activity calling
 * process.exit) takes the process down with a non-zero code, as it would
 * have in one thread: a supervisor restarts it, and poison counting
 * (decision 0016) stops a delivery that kills it every time.
 */
function exitOnEngineDeath(reason: string, server: HttpServer | undefined, logger: Logger): void {
  logger.error(`[perdure] ${reason}; exiting`);
  void (server ? server.close(1_000) : Promise.resolve()).finally(() => process.exit(1));
}

function functionsBanner(functions: FunctionsApp | undefined) {
  if (!functions) return {};
  const timers = functions.timers.map((t) => ({ name: t.name, schedule: t.schedule.expression }));
  return { timers, ...(functions.routePrefix === undefined ? {} : { routePrefix: functions.routePrefix }) };
}

function stopOnSignals(shutdownAll: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`Received ${signal} again; exiting without waiting.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`Received ${signal}; stopping (send it again to exit at once)...`);
    void shutdownAll().then(
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

async function shutdown(server: HttpServer, host: Host, engine: EngineLink | undefined, graceMs: number): Promise<void> {
  // Waiting requests (start-and-wait) answer 202 with their check-status payload now, while the server can still reply.
  host.client.interruptWaits();
  await server.close(5_000);
  // The engine finishes its turns and hands back its activities (terminated if it overruns the grace), then the client's store closes.
  await engine?.stop(graceMs);
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
