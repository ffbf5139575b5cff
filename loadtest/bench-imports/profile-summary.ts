// Where a CPU profile's time went: the functions with the most self time, for the report.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The `top` functions by self time, each with its share of the profile's samples. */
export function topFunctions(file: string, top = 15): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const names = new Map<number, string>();
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url ? `${path.basename(url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
    names.set(n.id, `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`);
  }
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = names.get(id) ?? '?';
    self.set(name, (self.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([name, us]) =>
        `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1e6).toFixed(2)} s  ${name}`,
    );
}
