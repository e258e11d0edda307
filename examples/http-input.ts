/**
 * @module examples/http-input
 * Reading an optional JSON body in an HTTP trigger. An empty body means
 * "no input"; malformed JSON is a ValidationError, which the host answers
 * with 400 and the field name (the host also enforces the body size limit
 * before the handler runs).
 */
import { ValidationError } from 'perdure';

export async function readOptionalJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError('body', `is not valid JSON (${(error as Error).message})`);
  }
}
