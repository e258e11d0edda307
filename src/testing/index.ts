/**
 * @module perdure/testing
 * Testing orchestrations: a test environment whose clock skips ahead when
 * every instance waits on a timer, with activity mocks; replay checks of
 * exported histories against today's code; single decisions without a store;
 * and the pieces underneath (a manual clock, the in-memory store).
 *
 * @example
 * import { assertReplays, createTestEnvironment } from 'perdure/testing';
 * await using env = await createTestEnvironment({ app });
 * const { instanceId } = await env.client.startNew('Monitor', { input });
 * await env.client.waitForCompletion(instanceId);
 * await assertReplays(app, 'test/fixtures/histories');
 */
export { createManualClock, type ManualClock } from '../runtime/clock.ts';
export { silentLogger } from '../runtime/logger.ts';
export { openMemoryStore } from './memory-store.ts';
export { createTestClock, type TestClock } from './test-clock.ts';
export { createTestEnvironment, type TestEnvironment, type TestEnvironmentOptions } from './test-environment.ts';
export { assertReplays, replayHistory, type ReplayDivergence, type ReplayResult } from './replay-check.ts';
export type { DfHistoryEvent, HistoryInput } from './history-input.ts';
export { runOrchestrator, type OrchestratorStep, type RunOrchestratorOptions, type ScheduledAction } from './run-orchestrator.ts';
