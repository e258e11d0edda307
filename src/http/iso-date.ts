/**
 * @module http/iso-date
 * Strict ISO 8601 dates for query parameters. `new Date()` accepts far too
 * much (`new Date('0')` is the year 2000, `2023-02-29` becomes 1 March), and
 * a purge filter that silently means something else deletes the wrong data.
 *
 * What must hold:
 * - Accepted: `YYYY-MM-DD`, optionally `THH:MM[:SS[.fraction]]` with `Z` or
 *   `±HH:MM` (no offset means UTC); the date must exist in the calendar.
 * - Anything else is a ValidationError naming the parameter.
 */
import { ValidationError } from '../model/errors.ts';

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

export function parseIsoDate(value: string, field: string): Date {
  const match = ISO_8601.exec(value);
  const fail = () => new ValidationError(field, `must be an ISO 8601 date or date-time, e.g. 2024-05-01T00:00:00Z (got '${value}')`);
  if (!match) throw fail();
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  const y = Number(year);
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1 || d > daysIn(y, m) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) throw fail();
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  const millis = fraction === '' ? '' : fraction.slice(0, 4).padEnd(4, '0'); // `.5` → `.500`; finer digits are dropped
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}${millis}${offset}`);
  if (Number.isNaN(date.getTime())) throw fail();
  return date;
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
