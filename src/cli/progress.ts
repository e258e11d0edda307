/**
 * @module cli/progress
 * A one-line progress bar on stderr for long operations, drawn only when
 * stderr is a terminal, so pipes and logs never get carriage returns.
 */
import type { CliStream } from './io.ts';

export interface Progress {
  /** `fraction` from 0 to 1; `label` follows the bar (e.g. "1,200 purged"). */
  update(fraction: number, label: string): void;
  done(): void;
}

const WIDTH = 30;

export function progressBar(stream: CliStream): Progress {
  if (stream.isTTY !== true) return { update: () => {}, done: () => {} };
  let drawn = false;
  return {
    update(fraction, label) {
      const clamped = Math.min(Math.max(fraction, 0), 1);
      const filled = Math.round(clamped * WIDTH);
      const percent = `${Math.floor(clamped * 100)}%`.padStart(4);
      stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${percent} ${label}\u001b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}
