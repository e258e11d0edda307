/**
 * Unit tests of the dashboard's browser modules that hold logic and touch
 * no DOM: the timeline built from a history, and the format helpers. They
 * are plain JavaScript served as is, so the test loads them by URL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

type Bar = {
  kind: string;
  name: string;
  start: number;
  end?: number;
  outcome: string;
  attempt?: number;
  result?: unknown;
  instanceId?: string;
  rerun?: boolean;
};
type Timeline = { start: number; end?: number; bars: Bar[]; markers: { type: string; at: number }[] };
const { buildTimeline, layoutTimeline } = (await import(new URL('../../src/dashboard/public/timeline.js', import.meta.url).href)) as {
  buildTimeline: (history: unknown[]) => Timeline;
  layoutTimeline: (timeline: Timeline, now: number, minWidth?: number) => { bar: Bar; left: number; width: number; duration: number }[];
};
const format = (await import(new URL('../../src/dashboard/public/format.js', import.meta.url).href)) as {
  formatDuration: (ms: number) => string;
  preview: (value: unknown, max?: number) => string;
  checkJson: (text: string) => { ok: boolean; text?: string; error?: string };
  localInputToIso: (value: string) => string;
  formatTime: (iso: string) => string;
  formatCount: (n: number) => string;
};

const T = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(T + ms).toISOString();

const HISTORY = [
  { type: 'OrchestratorStarted', timestamp: at(0) },
  { type: 'ExecutionStarted', timestamp: at(0), name: 'Greeting', executionId: 'e1', input: 1 },
  { type: 'TaskScheduled', timestamp: at(10), taskId: 0, name: 'Greet', input: 'Ada' },
  { type: 'TaskCompleted', timestamp: at(30), taskId: 0, result: 'Hello Ada' },
  { type: 'TaskScheduled', timestamp: at(40), taskId: 1, name: 'Flaky' },
  { type: 'TaskFailed', timestamp: at(50), taskId: 1, failure: { name: 'Error', message: 'boom' } },
  { type: 'TimerCreated', timestamp: at(50), taskId: 2, fireAt: at(100) },
  { type: 'TimerFired', timestamp: at(101), taskId: 2, fireAt: at(100) },
  { type: 'TaskScheduled', timestamp: at(101), taskId: 3, name: 'Flaky' },
  { type: 'TaskCompleted', timestamp: at(120), taskId: 3, result: 'steady' },
  { type: 'SubOrchestrationInstanceCreated', timestamp: at(120), taskId: 4, name: 'Child', instanceId: 'kid' },
  { type: 'SubOrchestrationInstanceCompleted', timestamp: at(180), taskId: 4, result: 'done' },
  { type: 'ExecutionSuspended', timestamp: at(190) },
  { type: 'EventRaised', timestamp: at(200), name: 'Approval', input: true },
  { type: 'TaskScheduled', timestamp: at(210), taskId: 5, name: 'Slow' },
];

describe('dashboard timeline', () => {
  it('makes a bar per task from scheduling to result, with points for events and markers for control', () => {
    const timeline = buildTimeline(HISTORY);
    assert.equal(timeline.start, T);
    assert.deepEqual(
      timeline.bars.map((b) => [b.kind, b.name, b.start - T, b.end === undefined ? undefined : b.end - T, b.outcome]),
      [
        ['activity', 'Greet', 10, 30, 'completed'],
        ['activity', 'Flaky', 40, 50, 'failed'],
        ['timer', 'timer', 50, 101, 'completed'],
        ['activity', 'Flaky', 101, 120, 'completed'],
        ['orchestration', 'Child', 120, 180, 'completed'],
        ['event', 'Approval', 200, 200, 'completed'],
        ['activity', 'Slow', 210, undefined, 'running'],
      ],
    );
    assert.equal(timeline.bars[0]!.result, 'Hello Ada');
    assert.equal(timeline.bars[4]!.instanceId, 'kid');
    assert.deepEqual(timeline.markers, [{ type: 'Suspended', at: T + 190, reason: undefined }]);
  });

  it('numbers retries: a run after its namesake failed is attempt 2', () => {
    const bars = buildTimeline(HISTORY).bars.filter((b) => b.kind === 'activity');
    assert.deepEqual(
      bars.map((b) => [b.name, b.attempt]),
      [
        ['Greet', 1],
        ['Flaky', 1],
        ['Flaky', 2],
        ['Slow', 1],
      ],
    );
  });

  it('keeps a rewound failure and shows the new run as its own bar', () => {
    const rewound = buildTimeline([
      { type: 'ExecutionStarted', timestamp: at(0), name: 'X', executionId: 'e' },
      { type: 'TaskScheduled', timestamp: at(1), taskId: 0, name: 'A' },
      { type: 'TaskFailed', timestamp: at(2), taskId: 0, failure: { name: 'Error', message: 'x' } },
      { type: 'ExecutionCompleted', timestamp: at(3), status: 'Failed' },
      { type: 'ExecutionRewound', timestamp: at(10), taskIds: [0] },
      { type: 'TaskCompleted', timestamp: at(12), taskId: 0, result: 1 },
    ]);
    assert.deepEqual(
      rewound.bars.map((b) => [b.outcome, b.rerun === true, b.attempt]),
      [
        ['failed', false, 1],
        ['completed', true, 2],
      ],
    );
  });

  it('lays bars out on a 0–100 scale, running ones up to now, instant ones still visible', () => {
    const rows = layoutTimeline(buildTimeline(HISTORY), T + 300);
    const greet = rows[0]!;
    assert.ok(Math.abs(greet.left - (10 / 300) * 100) < 1e-9);
    assert.ok(Math.abs(greet.width - (20 / 300) * 100) < 1e-9);
    assert.equal(greet.duration, 20);
    const event = rows.find((r) => r.bar.kind === 'event')!;
    assert.equal(event.width, 0.4);
    const slow = rows.at(-1)!;
    assert.equal(slow.duration, 90);
    assert.ok(Math.abs(slow.left + slow.width - 100) < 1e-9, 'a running bar reaches now');
    assert.deepEqual(layoutTimeline(buildTimeline([]), T), []);
  });
});

describe('dashboard format helpers', () => {
  it('formats durations, previews and times', () => {
    assert.deepEqual([850, 1200, 12_000, 184_000, 7_500_000, -1].map(format.formatDuration), [
      '850 ms',
      '1.2 s',
      '12 s',
      '3 min 4 s',
      '2 h 5 min',
      '',
    ]);
    assert.equal(format.preview({ a: 'x'.repeat(100) }, 20).length, 20);
    assert.equal(format.preview(undefined), '');
    assert.equal(format.formatTime('2026-01-02T03:04:05.678Z'), '2026-01-02 03:04:05');
    assert.deepEqual(
      [0, 7, 999, 1000, 65_536, 1_000_000, 1_234_567_890].map(format.formatCount),
      [0, 7, 999, 1000, 65_536, 1_000_000, 1_234_567_890].map((n) => n.toLocaleString('en')),
    );
  });

  it('checks JSON typed by the user, naming what is wrong', () => {
    assert.deepEqual(format.checkJson('  '), { ok: true, text: '' });
    assert.deepEqual(format.checkJson(' {"a": 1} '), { ok: true, text: '{"a": 1}' });
    const bad = format.checkJson('{"a": tru');
    assert.equal(bad.ok, false);
    assert.match(bad.error!, /^Not valid JSON: /);
  });

  it('reads a datetime-local value as UTC', () => {
    assert.equal(format.localInputToIso('2026-03-04T05:06:07'), '2026-03-04T05:06:07.000Z');
    assert.equal(format.localInputToIso(''), '');
    assert.equal(format.localInputToIso('nonsense'), '');
  });
});
