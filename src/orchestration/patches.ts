/**
 * @module patches
 * What `ctx.patched(id)` answers, and the PatchMarker events that make the
 * answer replay the same (Temporal's patch model, on Perdure's turns).
 *
 * What must hold:
 * - Live code (not replaying) always takes the new branch: patched() is
 *   true, and the first true of an execution writes a marker in that turn.
 * - Replaying a turn, patched() is true exactly when the change is already
 *   known (a marker applied earlier) or that turn's own events hold its
 *   marker (`expect`, looked up ahead by replay.ts: markers are written at
 *   the end of the turn whose code asked). Otherwise the turn ran on old
 *   code, which went the old way, and patched() is false.
 * - A marker in history that the replayed turn never asked about is a
 *   divergence, unless deprecatePatch wrote it (the call may be gone).
 */
import type { PatchMarkerEvent } from '../model/history.ts';

const NONE: ReadonlySet<string> = new Set();

export class PatchLog {
  /** Changes whose marker this execution has (applied, or written by a live turn). */
  readonly #known = new Set<string>();
  #expected: ReadonlySet<string> = NONE;
  readonly #askedThisTurn = new Set<string>();
  #written: { changeId: string; deprecated: boolean }[] = [];

  /** A new turn starts; `expected` are the markers its recorded events hold (none for a live turn). */
  beginTurn(expected: ReadonlySet<string> | undefined): void {
    this.#expected = expected ?? NONE;
    this.#askedThisTurn.clear();
  }

  patched(changeId: string, replaying: boolean): boolean {
    this.#askedThisTurn.add(changeId);
    if (this.#known.has(changeId)) return true;
    if (replaying && !this.#expected.has(changeId)) return false;
    this.#known.add(changeId);
    if (!replaying) this.#written.push({ changeId, deprecated: false });
    return true;
  }

  /** The new branch is the only one left: nothing to answer, but the marker is still written for histories to come. */
  deprecate(changeId: string, replaying: boolean): void {
    this.#askedThisTurn.add(changeId);
    if (this.#known.has(changeId)) return;
    if (replaying && !this.#expected.has(changeId)) return;
    this.#known.add(changeId);
    if (!replaying) this.#written.push({ changeId, deprecated: true });
  }

  /** A recorded marker is applied; returns why it diverges, if it does. */
  apply(event: PatchMarkerEvent): string | undefined {
    this.#known.add(event.changeId);
    if (this.#askedThisTurn.has(event.changeId) || event.deprecated) return undefined;
    return (
      `history recorded PatchMarker '${event.changeId}' (the code that ran this turn took ctx.patched('${event.changeId}')), ` +
      `but the replayed code did not call ctx.patched('${event.changeId}') or ctx.deprecatePatch('${event.changeId}') in that turn`
    );
  }

  /** Markers written by this live turn, as events. */
  take(timestamp: string): PatchMarkerEvent[] {
    if (this.#written.length === 0) return [];
    const events = this.#written.map(({ changeId, deprecated }): PatchMarkerEvent => ({
      type: 'PatchMarker',
      timestamp,
      changeId,
      ...(deprecated ? { deprecated: true as const } : {}),
    }));
    this.#written = [];
    return events;
  }
}

/**
 * For each OrchestratorStarted (by index), the markers its turn recorded;
 * undefined when the history has none (the common case costs one scan).
 */
export function markersByTurn(
  history: readonly { readonly type: string; readonly changeId?: string }[],
): Map<number, Set<string>> | undefined {
  let turns: Map<number, Set<string>> | undefined;
  let turnStart = -1;
  history.forEach((event, index) => {
    if (event.type === 'OrchestratorStarted') turnStart = index;
    else if (event.type === 'PatchMarker') {
      turns ??= new Map();
      const set = turns.get(turnStart) ?? new Set<string>();
      set.add(event.changeId!);
      turns.set(turnStart, set);
    }
  });
  return turns;
}
