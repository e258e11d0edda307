/**
 * @module azure-functions/invocation-context
 * `InvocationContext` of `@azure/functions` v4: what a handler receives
 * besides its trigger input. Perdure fills `extraInputs` for the bindings it
 * provides (the durable client); the rest are plain per-invocation maps.
 *
 * What must hold:
 * - `log`, `trace`, `debug`, `info`, `warn`, `error` always reach the log
 *   handler with their level; a context built without one writes to the console.
 * - `extraInputs.get` and `extraOutputs.get` accept a binding object or its name.
 */
import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import type { FunctionInput, FunctionOutput, FunctionTrigger, LogHandler, LogLevel } from './types.ts';

export interface RetryContext {
  retryCount: number;
  maxRetryCount: number;
  exception?: Exception;
}

export interface Exception {
  source?: string;
  stackTrace?: string;
  message?: string;
}

export interface TraceContext {
  traceParent?: string | undefined;
  traceState?: string | undefined;
  attributes?: Record<string, string>;
}

export type TriggerMetadata = Record<string, unknown>;

export interface EffectiveFunctionOptions {
  trigger: FunctionTrigger;
  return?: FunctionOutput;
  extraInputs: FunctionInput[];
  extraOutputs: FunctionOutput[];
}

export interface InvocationContextInit {
  invocationId?: string;
  functionName?: string;
  logHandler?: LogHandler;
  traceContext?: TraceContext;
  retryContext?: RetryContext;
  triggerMetadata?: TriggerMetadata;
  options?: Partial<EffectiveFunctionOptions>;
}

export interface InvocationContextExtraInputs {
  get(inputOrName: FunctionInput | string): unknown;
  set(inputOrName: FunctionInput | string, value: unknown): void;
}

export interface InvocationContextExtraOutputs {
  set(outputOrName: FunctionOutput | string, value: unknown): void;
  get(outputOrName: FunctionOutput | string): unknown;
}

class BindingValues implements InvocationContextExtraInputs, InvocationContextExtraOutputs {
  readonly #values = new Map<string, unknown>();
  get(binding: { name: string } | string): unknown {
    return this.#values.get(typeof binding === 'string' ? binding : binding.name);
  }
  set(binding: { name: string } | string, value: unknown): void {
    this.#values.set(typeof binding === 'string' ? binding : binding.name, value);
  }
}

const consoleLogHandler: LogHandler = (level, ...args) => {
  if (level === 'error' || level === 'critical') console.error(...args);
  else if (level === 'warning') console.warn(...args);
  else if (level === 'trace' || level === 'debug') console.debug(...args);
  else if (level !== 'none') console.log(...args);
};

export class InvocationContext {
  invocationId: string;
  functionName: string;
  extraInputs: InvocationContextExtraInputs;
  extraOutputs: InvocationContextExtraOutputs;
  retryContext?: RetryContext;
  traceContext?: TraceContext;
  triggerMetadata?: TriggerMetadata;
  options: EffectiveFunctionOptions;
  readonly #logHandler: LogHandler;

  constructor(init: InvocationContextInit = {}) {
    this.invocationId = init.invocationId ?? randomUUID();
    this.functionName = init.functionName ?? 'unknown';
    this.extraInputs = new BindingValues();
    this.extraOutputs = new BindingValues();
    if (init.retryContext) this.retryContext = init.retryContext;
    if (init.traceContext) this.traceContext = init.traceContext;
    if (init.triggerMetadata) this.triggerMetadata = init.triggerMetadata;
    this.options = {
      trigger: init.options?.trigger ?? { type: 'unknown', name: 'unknown' },
      extraInputs: init.options?.extraInputs ?? [],
      extraOutputs: init.options?.extraOutputs ?? [],
      ...(init.options?.return ? { return: init.options.return } : {}),
    };
    this.#logHandler = init.logHandler ?? consoleLogHandler;
  }

  // Azure's log methods take anything console.log takes.
  /* eslint-disable @typescript-eslint/no-explicit-any -- see above */
  log(...args: any[]): void {
    this.#write('information', args);
  }
  trace(...args: any[]): void {
    this.#write('trace', args);
  }
  debug(...args: any[]): void {
    this.#write('debug', args);
  }
  info(...args: any[]): void {
    this.#write('information', args);
  }
  warn(...args: any[]): void {
    this.#write('warning', args);
  }
  error(...args: any[]): void {
    this.#write('error', args);
  }
  /* eslint-enable @typescript-eslint/no-explicit-any */

  #write(level: LogLevel, args: unknown[]): void {
    this.#logHandler(level, ...args);
  }
}

/** A log handler that writes to one of Perdure's loggers (info, warn, error). */
export function logHandlerFor(logger: {
  info(m: string, ...a: unknown[]): void;
  warn(m: string, ...a: unknown[]): void;
  error(m: string, ...a: unknown[]): void;
}): LogHandler {
  return (level, ...args) => {
    if (level === 'none') return;
    const message = format(...args);
    if (level === 'error' || level === 'critical') logger.error(message);
    else if (level === 'warning') logger.warn(message);
    else logger.info(message);
  };
}
