/**
 * @module azure-functions/output
 * `output.*` of `@azure/functions` v4. Only the HTTP output (a handler's
 * return value) is served; the others build their object and are refused
 * when a function registers them.
 */
import { binding } from './binding-names.ts';
import type { HttpOutput, HttpOutputOptions } from './http-types.ts';
import type { FunctionOutput, GenericOutputOptions } from './types.ts';

export function http(options: HttpOutputOptions): HttpOutput {
  return binding({ ...options, type: 'http' }, 'Output');
}

export function generic(options: GenericOutputOptions): FunctionOutput {
  return binding(options, 'Output');
}

const other = (type: string) => (options: Record<string, unknown>) => binding({ ...options, type }, 'Output');

export const storageBlob = other('blob');
export const table = other('table');
export const storageQueue = other('queue');
export const serviceBusQueue = other('serviceBus');
export const serviceBusTopic = other('serviceBus');
export const eventHub = other('eventHub');
export const eventGrid = other('eventGrid');
export const cosmosDB = other('cosmosDB');
export const sql = other('sql');
export const mySql = other('mysql');
export const webPubSub = other('webPubSub');
