/**
 * @module dashboard/public/timeline
 * Turns an instance's stored history into the bars of its Gantt chart:
 * activities, timers and sub-orchestrations from scheduling to result,
 * events raised and sent as points, and the instance's own markers
 * (suspended, resumed, terminated, rewound). Pure: no DOM, so it is tested
 * in Node (test/dashboard/timeline.test.ts).
 *
 * What must hold:
 * - Every scheduled task is one bar; one still running has no end.
 * - Retries are visible: a task that runs again after its namesake failed
 *   has `attempt` > 1 (a retry policy schedules a new task each time).
 * - A task rewound after failing keeps its failed bar, and its new run is a
 *   bar of its own.
 */

const TASK_KINDS = {
  TaskScheduled: 'activity',
  SubOrchestrationInstanceCreated: 'orchestration',
  TimerCreated: 'timer',
};
const ENDINGS = {
  TaskCompleted: ['activity', 'completed'],
  TaskFailed: ['activity', 'failed'],
  SubOrchestrationInstanceCompleted: ['orchestration', 'completed'],
  SubOrchestrationInstanceFailed: ['orchestration', 'failed'],
  TimerFired: ['timer', 'completed'],
};
const MARKERS = new Set(['ExecutionSuspended', 'ExecutionResumed', 'ExecutionTerminated', 'ExecutionRewound']);

const ms = (iso) => Date.parse(iso);

/** The bars and markers of a history (Perdure's stored shape, oldest first). */
export function buildTimeline(history) {
  const bars = [];
  const markers = [];
  const open = new Map(); // `${kind}:${taskId}` -> the bar of its latest run
  let start;
  let end;
  for (const event of history) {
    const at = ms(event.timestamp);
    if (event.type === 'ExecutionStarted') start ??= at;
    else if (event.type === 'ExecutionCompleted') end = at;
    else if (TASK_KINDS[event.type]) openBar(bars, open, TASK_KINDS[event.type], event, at);
    else if (ENDINGS[event.type]) closeBar(bars, open, ENDINGS[event.type], event, at);
    else if (event.type === 'EventRaised' || event.type === 'EventSent') bars.push(pointBar(event, at));
    else if (MARKERS.has(event.type)) markers.push({ type: event.type.replace('Execution', ''), at, reason: event.reason });
  }
  numberAttempts(bars);
  return { start: start ?? bars[0]?.start, end, bars, markers };
}

function openBar(bars, open, kind, event, at) {
  const bar = {
    kind,
    taskId: event.taskId,
    name: kind === 'timer' ? 'timer' : event.name,
    start: at,
    end: undefined,
    outcome: 'running',
    ...(kind === 'timer' ? { fireAt: ms(event.fireAt) } : {}),
    ...(kind === 'orchestration' ? { instanceId: event.instanceId } : {}),
    ...(event.input === undefined ? {} : { input: event.input }),
  };
  bars.push(bar);
  open.set(`${kind}:${event.taskId}`, bar);
}

function closeBar(bars, open, [kind, outcome], event, at) {
  let bar = open.get(`${kind}:${event.taskId}`);
  if (bar === undefined) return;
  if (bar.end !== undefined) {
    // A rewound task ran again under its old ID: a new bar from the end of the failed run.
    bar = { ...bar, start: bar.end, rerun: true, failure: undefined, result: undefined };
    bars.push(bar);
    open.set(`${kind}:${event.taskId}`, bar);
  }
  bar.end = at;
  bar.outcome = outcome;
  if (event.failure) bar.failure = event.failure;
  if ('result' in event) bar.result = event.result;
}

function pointBar(event, at) {
  const sent = event.type === 'EventSent';
  return {
    kind: sent ? 'sent' : 'event',
    name: sent ? `${event.name} → ${event.instanceId}` : event.name,
    start: at,
    end: at,
    outcome: 'completed',
    ...(event.input === undefined ? {} : { input: event.input }),
  };
}

/** attempt = 1 + how many runs of the same activity or orchestration failed in a row just before this one. */
function numberAttempts(bars) {
  const failedInRow = new Map();
  for (const bar of bars) {
    if (bar.kind !== 'activity' && bar.kind !== 'orchestration') continue;
    const key = `${bar.kind}:${bar.name}`;
    bar.attempt = (failedInRow.get(key) ?? 0) + 1;
    failedInRow.set(key, bar.outcome === 'failed' ? bar.attempt : 0);
  }
}

/**
 * Where each bar sits on a 0–100 scale from the first event to the end (or
 * `now` while the instance runs); a bar is at least `minWidth` wide so
 * instant ones stay visible.
 */
export function layoutTimeline(timeline, now, minWidth = 0.4) {
  const from = timeline.start ?? now;
  const lastEnd = Math.max(from, timeline.end ?? 0, ...timeline.bars.map((bar) => bar.end ?? now));
  const span = Math.max(1, lastEnd - from);
  const pos = (t) => ((t - from) / span) * 100;
  return timeline.bars.map((bar) => {
    const left = Math.min(100 - minWidth, pos(bar.start));
    const right = pos(bar.end ?? now);
    return { bar, left, width: Math.max(minWidth, Math.min(100, right) - left), duration: (bar.end ?? now) - bar.start };
  });
}
