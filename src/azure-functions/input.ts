/**
 * @module azure-functions/input
 * `input.*` of `@azure/functions` v4. Perdure provides one input binding,
 * the durable client (`input.generic({ type: 'durableClient' })`, which is
 * what `df.input.durableClient()` builds); the others build their object
 * and are refused when a function registers them.
 */
import { binding } from './binding-names.ts';
import type { FunctionInput, GenericInputOptions } from './types.ts';

export function generic(options: GenericInputOptions): FunctionInput {
  return binding(options, 'Input');
}

const other = (type: string) => (options: Record<string, unknown>) => binding({ ...options, type }, 'Input');

export const storageBlob = other('blob');
export const table = other('table');
export const cosmosDB = other('cosmosDB');
export const sql = other('sql');
export const mySql = other('mysql');
export const webPubSubConnection = other('webPubSubConnection');
export const webPubSubContext = other('webPubSubContext');
