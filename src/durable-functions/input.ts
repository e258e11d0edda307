/**
 * @module durable-functions/input
 * `df.input.durableClient()`: the input binding through which a function
 * receives a durable client (read it with `df.getClient(context)`).
 */
import { generic } from '../azure-functions/input.ts';
import type { FunctionInput } from '../azure-functions/types.ts';

export interface DurableClientInput extends FunctionInput {
  type: 'durableClient';
}

export function durableClient(): DurableClientInput {
  return generic({ type: 'durableClient' }) as DurableClientInput;
}
