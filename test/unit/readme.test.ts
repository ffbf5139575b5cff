import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configTable } from '../../lib/config.js';
import { PROJECT_ROOT } from '../../stack/paths.js';

describe('README', () => {
  const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');

  it('carries the configuration table exactly as the code defines it', () => {
    expect(readme).toContain(configTable());
  });

  it('gives the two quick-start commands that .ci/run relies on', () => {
    expect(readme).toMatch(/^npm start\b/m);
    expect(readme).toMatch(/^npm test\b/m);
    expect(readFileSync(path.join(PROJECT_ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm test$/m);
  });
});
