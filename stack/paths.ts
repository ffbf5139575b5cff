import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Everything the local stack owns lives under one git-ignored folder. */
export interface StackPaths {
  readonly root: string;
  readonly opt: string; // installed binaries (kept by reset)
  readonly downloads: string; // downloaded archives (kept by reset)
  readonly data: string; // component data (wiped by reset)
  readonly conf: string; // generated configs
  readonly logs: string;
  readonly run: string; // pid files and locks
}

export function stackPaths(stackDir: string): StackPaths {
  const root = path.resolve(PROJECT_ROOT, stackDir);
  const sub = (name: string): string => path.join(root, name);
  return {
    root,
    opt: sub('opt'),
    downloads: sub('downloads'),
    data: sub('data'),
    conf: sub('conf'),
    logs: sub('logs'),
    run: sub('run'),
  };
}

export function ensureDirs(paths: StackPaths): void {
  for (const dir of [paths.opt, paths.downloads, paths.data, paths.conf, paths.logs, paths.run]) {
    mkdirSync(dir, { recursive: true });
  }
}
