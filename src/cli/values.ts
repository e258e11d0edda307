/**
 * @module cli/values
 * Parsers for the operator commands' flag values. Each throws commander's
 * InvalidArgumentError, so the message names the flag and the CLI exits 2.
 *
 * What must hold:
 * - A value that does not parse is refused, never read as "no filter".
 * - Times are ISO 8601 or an age (`90s`, `30m`, `24h`, `7d`) counted back from now.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { isTerminalStatus, RuntimeStatus } from '../model/runtime-status.ts';

const STATUS_NAMES = Object.values(RuntimeStatus);

/** `Running,Pending`: names in any case, each once. */
export function parseStatuses(text: string, terminalOnly = false): RuntimeStatus[] {
  const statuses = new Set<RuntimeStatus>();
  for (const piece of text.split(',').map((p) => p.trim())) {
    const status = STATUS_NAMES.find((name) => name.toLowerCase() === piece.toLowerCase());
    if (status === undefined) throw new InvalidArgumentError(`'${piece}' is not a status (use ${STATUS_NAMES.join(', ')}).`);
    if (terminalOnly && !isTerminalStatus(status)) {
      throw new InvalidArgumentError(`only finished instances can be purged (Completed, Failed, Terminated), not ${status}.`);
    }
    statuses.add(status);
  }
  return [...statuses];
}

export const parseTerminalStatuses = (text: string): RuntimeStatus[] => parseStatuses(text, true);

const AGE_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** A time: ISO 8601 (`2026-01-31`, `2026-01-31T12:00:00Z`) or an age back from `now`. */
export function parseTime(text: string, now = Date.now()): Date {
  const age = /^(\d{1,9})([smhd])$/.exec(text.trim());
  if (age) return new Date(now - Number(age[1]) * AGE_UNITS[age[2]!]!);
  const date = ISO_DATE.test(text.trim()) ? new Date(text.trim()) : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(`'${text}' is not a time: give ISO 8601 (2026-01-31T12:00:00Z) or an age (30m, 24h, 7d).`);
  }
  return date;
}

export function parsePositiveInteger(text: string): number {
  if (!/^\d{1,9}$/.test(text.trim()) || Number(text) < 1) throw new InvalidArgumentError(`'${text}' is not a positive integer.`);
  return Number(text);
}

/** Seconds, fractions allowed. */
export function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 0)
    throw new InvalidArgumentError(`'${text}' is not a number of seconds.`);
  return seconds;
}

/** JSON text, or `@file` for a file's JSON. */
export function parseJson(text: string): unknown {
  let source = text;
  if (text.startsWith('@')) {
    try {
      source = readFileSync(text.slice(1), 'utf8');
    } catch (error) {
      throw new InvalidArgumentError(`cannot read ${text.slice(1)}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(source) as unknown;
  } catch (error) {
    throw new InvalidArgumentError(`not JSON: ${(error as Error).message}`);
  }
}

export const CONFLICT_POLICIES = { reject: 'reject', 'use-existing': 'useExisting', 'terminate-existing': 'terminateExisting' } as const;
export type ConflictFlag = keyof typeof CONFLICT_POLICIES;

export function parseConflictPolicy(text: string): (typeof CONFLICT_POLICIES)[ConflictFlag] {
  if (!Object.hasOwn(CONFLICT_POLICIES, text))
    throw new InvalidArgumentError(`'${text}' is not one of ${Object.keys(CONFLICT_POLICIES).join(', ')}.`);
  return CONFLICT_POLICIES[text as ConflictFlag];
}
