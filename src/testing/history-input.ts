/**
 * @module testing/history-input
 * The exported histories the replay checks accept, normalized: a bare event
 * array (Perdure's events from `client.getHistory`, or Durable Functions'
 * `historyEvents` from the HTTP status route), a status response that holds
 * `historyEvents`, or a fixture `{ name, instanceId, history }`; and the
 * `.json` files of a directory.
 *
 * What must hold: the shape is told by the events themselves (`type` for
 * Perdure's, `EventType` for Durable Functions'); anything else is a
 * ValidationError naming the source.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../model/errors.ts';
import type { HistoryEvent } from '../model/history.ts';

/** One event of Durable Functions' status-route history (PascalCase keys). */
export type DfHistoryEvent = Readonly<Record<string, unknown>> & { readonly EventType: string };

/** What `replayHistory` and `assertReplays` take as one history. */
export type HistoryInput =
  | readonly HistoryEvent[]
  | readonly DfHistoryEvent[]
  | {
      readonly instanceId?: string;
      readonly name?: string;
      readonly history?: readonly HistoryEvent[] | readonly DfHistoryEvent[];
      readonly historyEvents?: readonly HistoryEvent[] | readonly DfHistoryEvent[];
    };

export type LoadedHistory =
  | { readonly shape: 'perdure'; readonly events: readonly HistoryEvent[]; readonly instanceId?: string; readonly name?: string }
  | { readonly shape: 'df'; readonly events: readonly DfHistoryEvent[]; readonly instanceId?: string; readonly name?: string };

export function loadHistory(input: HistoryInput, source = 'history'): LoadedHistory {
  const wrapper = Array.isArray(input) ? {} : (input as Exclude<HistoryInput, readonly unknown[]>);
  const events: unknown = Array.isArray(input) ? input : (wrapper.history ?? wrapper.historyEvents);
  if (!Array.isArray(events) || events.length === 0) {
    throw new ValidationError(source, 'expected a non-empty array of history events, or an object with `history` or `historyEvents`');
  }
  const first: unknown = events[0];
  const ids = {
    ...(typeof wrapper.instanceId === 'string' ? { instanceId: wrapper.instanceId } : {}),
    ...(typeof wrapper.name === 'string' ? { name: wrapper.name } : {}),
  };
  if (isObject(first) && typeof first['type'] === 'string') return { shape: 'perdure', events: events as HistoryEvent[], ...ids };
  if (isObject(first) && typeof first['EventType'] === 'string') return { shape: 'df', events: events as DfHistoryEvent[], ...ids };
  throw new ValidationError(source, "history events must have a `type` (Perdure's shape) or an `EventType` (Durable Functions' shape)");
}

/** True if `value` is one history rather than a list of histories. */
export function isSingleHistory(value: readonly unknown[]): boolean {
  const first = value[0];
  return isObject(first) && (typeof first['type'] === 'string' || typeof first['EventType'] === 'string');
}

/** The histories in a directory's `.json` files, by file name; the instance ID defaults to the file's name. */
export async function readHistoryDir(dir: string | URL): Promise<{ source: string; history: LoadedHistory }[]> {
  const path = dir instanceof URL ? fileURLToPath(dir) : dir;
  let names: string[];
  try {
    names = (await readdir(path)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    throw new ValidationError('histories', `cannot read the directory ${JSON.stringify(path)}`, { cause: error });
  }
  if (names.length === 0) throw new ValidationError('histories', `no .json history files in ${JSON.stringify(path)}`);
  return Promise.all(
    names.map(async (name) => {
      const file = join(path, name);
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new ValidationError(name, 'is not a JSON file', { cause: error });
      }
      const history = loadHistory(parsed as HistoryInput, name);
      return { source: name, history: { ...history, instanceId: history.instanceId ?? basename(name, '.json') } };
    }),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
