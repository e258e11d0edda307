/**
 * @module bench/workloads
 * Every workload, in the order `--workload all` runs them.
 */
import type { Workload } from '../lib/workload.ts';
import { w1 } from './w1-hello-sequence.ts';
import { w2 } from './w2-fan-out.ts';
import { w2b } from './w2b-sub-orchestrations.ts';
import { w3 } from './w3-singleton-storm.ts';
import { w4 } from './w4-sequential-latency.ts';
import { w5 } from './w5-eternal.ts';
import { w6 } from './w6-large-store.ts';
import { w7 } from './w7-scale-out.ts';
import { d1 } from './d1-dashboard.ts';
import { w8 } from './w8-entities.ts';
import { w9 } from './w9-sleeping-singletons.ts';
import { w10 } from './w10-http-starts.ts';

export const WORKLOADS: readonly Workload[] = [w1, w2, w2b, w3, w4, w5, w6, w7, w8, w9, w10, d1];
