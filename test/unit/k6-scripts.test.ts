// The k6 scripts (loadtest/k6/) are run by k6 alone, which is not installed here: nothing else
// would notice one that no longer parses. Each is parsed as the ES module k6 reads it as, and
// each is a load-test scenario's counterpart (loadtest/scenarios/index.ts).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';
import { K6_SCRIPTS, SCENARIOS } from '../../loadtest/scenarios/index.js';
import { PROJECT_ROOT } from '../../stack/paths.js';

const K6 = path.join(PROJECT_ROOT, 'loadtest', 'k6');
const scripts = readdirSync(K6).filter((f) => f.endsWith('.js'));

describe('k6 scripts', () => {
  it('there are some', () => expect(scripts.length).toBeGreaterThan(0));

  it.each(scripts)('%s parses as an ES module', (file) => {
    const code = readFileSync(path.join(K6, file), 'utf8');
    expect(() => parse(code, { ecmaVersion: 'latest', sourceType: 'module' })).not.toThrow();
  });

  it('each is the counterpart of a scenario, and each counterpart named exists', () => {
    expect([...Object.values(K6_SCRIPTS)].sort()).toEqual([...scripts].sort());
    for (const scenario of Object.keys(K6_SCRIPTS)) expect(SCENARIOS).toHaveProperty(scenario);
  });

  it('a script that does not parse is caught', () => {
    expect(() => parse('export default function () {', { ecmaVersion: 'latest', sourceType: 'module' })).toThrow(); // prettier-ignore
  });
});
