/**
 * @module cli/start
 * `perdure start`: opens the store, runs the workers, serves HTTP, and
 * shuts all of it down on SIGINT or SIGTERM.
 *
 * What must hold:
 * - Nothing is opened or bound before every setting has been checked,
 *   including the host-key rule for non-loopback addresses.
 * - Shutdown order: stop accepting HTTP (letting in-flight requests
 *   finish), then `host.stop()` (finish in-flight turns, hand back running
 *   activities, close the store), then exit 0. A second signal exits at once.
 */
import { assertSafeBinding } from '../http/auth.ts';
import { createHttpApp } from '../http/create-http-app.ts';
import { serveHttp, type HttpServer } from '../http/serve.ts';
import { createHost, type Host } from '../runtime/host.ts';
import type { StartFlags } from './args.ts';
import { formatBanner } from './banner.ts';
import { resolveSettings } from './config.ts';
import { loadApp } from './load-app.ts';

/** Resolves once the server is listening; the process then lives until a signal. */
export async function start(flags: StartFlags): Promise<void> {
  const settings = await resolveSettings(flags, process.env, process.cwd());
  assertSafeBinding(settings.host, settings.hostKey);
  const app = await loadApp(settings.appModule);
  const key = settings.hostKey ? { hostKey: settings.hostKey } : {};
  const host = await createHost({ app, store: settings.store, ...settings.hostTuning, ...key });
  let server: HttpServer;
  try {
    const http = createHttpApp(host, { maxBodyBytes: settings.maxBodyBytes, ...key });
    server = await serveHttp({ fetch: http.fetch, port: settings.port, hostname: settings.host, ...key });
  } catch (error) {
    await host.stop();
    throw error;
  }
  const { hostKey, configPath } = settings;
  const workers = settings.hostTuning.workers !== false;
  console.log(formatBanner({ url: server.url, store: host.store.description, app, hostKey, configPath, workers }));
  stopOnSignals(server, host);
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
  await server.close(5_000);
  await host.stop();
}
