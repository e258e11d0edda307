/**
 * @module testing/activity-mocks
 * The test environment's own copy of the user's app: the same orchestrations
 * and HTTP triggers, and every activity behind a wrapper that runs the mock
 * registered for it (if any) and counts activities in flight. The user's app
 * is never changed, so a mock lives only as long as its environment.
 *
 * What must hold: a mock is looked up at each call, so mocking or restoring
 * takes effect for the next delivery; an unknown activity name is a
 * ValidationError naming it.
 */
import { ValidationError } from '../model/errors.ts';
import { createApp, type ActivityContext, type ActivityDefinition, type FunctionApp } from '../runtime/app.ts';

type Handler = (input: unknown, context: ActivityContext) => unknown;

export interface MockedApp {
  readonly app: FunctionApp;
  readonly running: () => number;
  mock(activity: ActivityDefinition<unknown, unknown> | string, fn: Handler): void;
  restore(activity: ActivityDefinition<unknown, unknown> | string): void;
}

export function mockableCopy(source: FunctionApp, onChange: () => void): MockedApp {
  const app = createApp();
  const mocks = new Map<string, Handler>();
  let running = 0;
  for (const definition of source.functions) {
    if (definition.kind === 'orchestration') app.orchestration(definition.name, definition.handler);
    if (definition.kind === 'http') app.http(definition.name, definition);
    if (definition.kind === 'activity') {
      const real = definition.handler as Handler;
      app.activity(definition.name, async (input: unknown, context: ActivityContext) => {
        running += 1;
        onChange();
        try {
          return await (mocks.get(definition.name) ?? real)(input, context);
        } finally {
          running -= 1;
          onChange();
        }
      });
    }
  }
  const nameOf = (activity: ActivityDefinition<unknown, unknown> | string, what: string): string => {
    const name = typeof activity === 'string' ? activity : activity?.name;
    if (typeof name !== 'string' || !source.getActivity(name)) {
      throw new ValidationError(what, `no activity named ${JSON.stringify(name)} is registered in the app`);
    }
    return name;
  };
  return {
    app,
    running: () => running,
    mock(activity, fn) {
      const name = nameOf(activity, 'mockActivity');
      if (typeof fn !== 'function') throw new ValidationError('mockActivity', `the mock for '${name}' must be a function`);
      mocks.set(name, fn);
    },
    restore(activity) {
      mocks.delete(nameOf(activity, 'restoreActivity'));
    },
  };
}
