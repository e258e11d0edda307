/**
 * @module bench/workloads/w2b-sub-orchestrations
 * W2b: the W2 fan-out, but each branch is a sub-orchestration that calls one
 * activity, so every branch costs an instance of its own (start, turns,
 * completion reported to the parent).
 */
import { fanOutWorkload } from './w2-fan-out.ts';

export const w2b = fanOutWorkload({ id: 'W2b', orchestration: 'SubFanOut', unit: 'sub-orchestrations', targetS: 0.2 });
