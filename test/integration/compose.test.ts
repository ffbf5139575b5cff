import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../stack/paths.js';

// docker-compose.yml is for users with Docker; here there is no engine, but
// docker-compose 1.29 (installed by the global setup) validates it offline.
describe('docker-compose.yml', () => {
  it('is a valid compose file', () => {
    const r = spawnSync('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
    });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
