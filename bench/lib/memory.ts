/**
 * @module bench/lib/memory
 * Resident memory, measured after a full garbage collection when one can be
 * had: without it RSS mostly shows how lazily V8 collected, not whether the
 * engine keeps what it no longer needs.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

function gc(): (() => void) | undefined {
  if (collect) return collect;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return (collect = exposed);
  try {
    // Exposes gc for contexts created from now on; the bench was not started with --expose-gc.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  } catch {
    collect = undefined;
  }
  return collect;
}

/** RSS in bytes, after a full GC if possible. */
export function rssBytes(): number {
  gc()?.();
  return process.memoryUsage().rss;
}
