import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './paths.js';

/** Fills `{{name}}` placeholders in a file from stack/templates; a missing value is a bug. */
export function renderTemplate(file: string, values: Record<string, string | number>): string {
  const source = readFileSync(path.join(PROJECT_ROOT, 'stack', 'templates', file), 'utf8');
  return source.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template ${file}: no value for {{${key}}}`);
    return String(value);
  });
}
