/**
 * @module bench/lib/open-loop
 * An open-loop HTTP load generator: requests go out on a fixed schedule
 * (request i at start + i / rate), whether or not earlier ones have been
 * answered, over keep-alive connections (node:http Agent). Latency is
 * measured from each request's scheduled time, not from when it could be
 * sent, so a server that falls behind shows it in the latency instead of
 * silently slowing the generator (coordinated omission).
 *
 * What must hold: every request ends as either an answer (its status and
 * latency kept) or an error (network error or timeout), never silently.
 */
import { Agent, request } from 'node:http';

export interface OpenLoopOptions {
  readonly rate: number;
  readonly durationMs: number;
  /** Builds request i: its path and JSON body. */
  readonly requestFor: (i: number) => { readonly path: string; readonly body: string };
  readonly port: number;
  readonly timeoutMs?: number;
}

export interface OpenLoopResult {
  readonly sent: number;
  /** Per request: HTTP status, or 0 for a network error or timeout. */
  readonly statuses: number[];
  /** Per request: ms from its scheduled time to the end of its answer. */
  readonly latencies: number[];
  /** From the first scheduled send to the last answer. */
  readonly wallMs: number;
  readonly firstError?: string;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  // Below the server's default maxConnections (1,000): past it the server drops connections, which would count
  // as errors of the server rather than of the rate; requests beyond 512 in flight queue here, on the clock.
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const statuses: number[] = new Array<number>(total).fill(-1);
  const latencies: number[] = new Array<number>(total).fill(Number.NaN);
  const pending: Promise<void>[] = [];
  let firstError: string | undefined;
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * options.rate) / 1000) + 1);
    for (; sent < due; sent++) {
      const i = sent;
      const scheduledAt = start + (i * 1000) / options.rate;
      pending.push(
        send(agent, options, i).then(
          (status) => {
            statuses[i] = status;
            latencies[i] = performance.now() - scheduledAt;
          },
          (error: Error) => {
            statuses[i] = 0;
            latencies[i] = performance.now() - scheduledAt;
            firstError ??= error.message;
          },
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  const wallMs = performance.now() - start;
  agent.destroy();
  return { sent, statuses, latencies, wallMs, ...(firstError ? { firstError } : {}) };
}

function send(agent: Agent, options: OpenLoopOptions, i: number): Promise<number> {
  const { path, body } = options.requestFor(i);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port: options.port,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${options.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
