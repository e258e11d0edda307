/**
 * @module durable-functions/get-client
 * `df.getClient(context)`: the durable client of a function that declared
 * `df.input.durableClient()` in its extraInputs.
 *
 * What must hold:
 * - Without that input, or with a value Perdure did not provide, the errors
 *   are Durable Functions' own messages.
 */
import type { InvocationContext } from '../azure-functions/invocation-context.ts';
import { inProcessClientOf, isDurableClientInputType } from '../azure-functions/client-binding.ts';
import { DurableClient } from './durable-client.ts';

export function getClient(context: InvocationContext): DurableClient {
  const input = context?.options?.extraInputs?.find((candidate) => isDurableClientInputType(candidate?.type));
  if (!input) {
    throw new Error(
      'Could not find a registered durable client input binding. Check your extraInputs definition when registering your function.',
    );
  }
  const binding = inProcessClientOf(context.extraInputs.get(input));
  if (!binding) {
    throw new Error(
      'Received input is not a valid durable client input. Check your extraInputs definition when registering your function.',
    );
  }
  return new DurableClient(binding);
}
