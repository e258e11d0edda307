/**
 * @module azure-functions/binding-names
 * Names for trigger and binding objects built without one, unique per
 * process, as Azure's builders give every binding a name.
 */
let counter = 0;

export function bindingName(type: string, direction: 'Trigger' | 'Input' | 'Output'): string {
  counter += 1;
  return `${type}${direction}${counter.toString(16).padStart(4, '0')}`;
}

export function binding<T extends { type: string }>(
  options: T,
  direction: 'Trigger' | 'Input' | 'Output',
): T & { type: string; name: string } {
  const given = (options as { name?: unknown }).name;
  return { ...options, name: typeof given === 'string' ? given : bindingName(options.type, direction) };
}
