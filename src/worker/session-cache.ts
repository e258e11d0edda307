/**
 * @module session-cache
 * Extended sessions: executors kept in memory between turns, so a hot
 * instance's turn applies only its new events instead of replaying its whole
 * history. An entry is used only if the stored execution and history length
 * still match what it has applied; anything else falls back to full replay.
 */
import type { OrchestrationExecutor } from '../orchestration/executor.ts';

interface Session {
  readonly executor: OrchestrationExecutor;
  readonly executionId: string;
  readonly historyLength: number;
}

export class SessionCache {
  readonly #sessions = new Map<string, Session>();
  constructor(private readonly capacity: number) {}

  /** Takes the session out: a turn mutates it, and only a successful commit may put it back. */
  take(instanceId: string, executionId: string, historyLength: number): OrchestrationExecutor | undefined {
    const session = this.#sessions.get(instanceId);
    if (!session) return undefined;
    this.#sessions.delete(instanceId);
    const fresh = session.executionId === executionId && session.historyLength === historyLength;
    return fresh ? session.executor : undefined;
  }

  put(instanceId: string, session: Session): void {
    if (this.capacity <= 0) return;
    this.#sessions.delete(instanceId);
    this.#sessions.set(instanceId, session);
    if (this.#sessions.size > this.capacity) {
      const oldest = this.#sessions.keys().next().value as string;
      this.#sessions.delete(oldest);
    }
  }

  get size(): number {
    return this.#sessions.size;
  }
}
