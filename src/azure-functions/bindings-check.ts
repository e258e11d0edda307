/**
 * @module azure-functions/bindings-check
 * Which extra inputs and outputs a function may declare on Perdure.
 *
 * What must hold:
 * - A binding Perdure cannot provide (blob, table, queue, Cosmos DB, ...)
 *   fails the registration with UnsupportedFeatureError naming the binding
 *   type and the function, so the app stops at load, not at the first call.
 */
import { isDurableClientInputType } from './client-binding.ts';
import type { FunctionInput, FunctionOutput } from './types.ts';
import { UnsupportedFeatureError } from './unsupported.ts';

export function checkBindings(functionName: string, extraInputs: unknown, extraOutputs: unknown, outputTypes: readonly string[]): void {
  for (const input of list(extraInputs, 'extraInputs', functionName) as FunctionInput[]) {
    if (!isDurableClientInputType(input?.type)) {
      throw new UnsupportedFeatureError(
        `The '${String(input?.type)}' input binding`,
        `function '${functionName}' declares it in extraInputs; Perdure provides only the durable client input (df.input.durableClient()).`,
      );
    }
  }
  for (const output of list(extraOutputs, 'extraOutputs', functionName) as FunctionOutput[]) {
    if (!outputTypes.includes(output?.type)) {
      throw new UnsupportedFeatureError(
        `The '${String(output?.type)}' output binding`,
        `function '${functionName}' declares it in extraOutputs; Perdure provides no output bindings besides the HTTP response.`,
      );
    }
  }
}

function list(value: unknown, field: string, functionName: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`${field} of function '${functionName}' must be an array.`);
  return value;
}
