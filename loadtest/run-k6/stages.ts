// The scenario's stages as k6 reads them from the script, and the numbers per stage.
import { spawnSync } from 'node:child_process';
import { stats, type Sample } from './samples.js';

export interface Stage {
  readonly label: string;
  readonly start: number;
  readonly end: number;
  readonly from: number;
  readonly to: number;
}

/** `k6 inspect` does not pass the environment to the script: hand over what it reads. */
export function k6Env(env: NodeJS.ProcessEnv): string[] {
  return ['IDS_FILE', 'BASE_URL', 'K6_PROFILE'].flatMap((k) =>
    env[k] === undefined ? [] : ['-e', `${k}=${env[k]}`],
  );
}

/** The scenario's stages as k6 itself reads them from the script (`k6 inspect`). */
export function stagesOf(k6: string, script: string, env: NodeJS.ProcessEnv): Stage[] {
  const r = spawnSync(k6, ['inspect', ...k6Env(env), script], { encoding: 'utf8' });
  const scenario = (
    JSON.parse(r.stdout) as {
      scenarios: Record<
        string,
        { startRate: number; stages: { duration: string; target: number }[] }
      >;
    }
  ).scenarios.reads;
  if (!scenario) return [];
  let start = 0;
  let from = scenario.startRate;
  return scenario.stages.map((s) => {
    const seconds = parseInt(s.duration, 10);
    const stage = {
      label: from === s.target ? `hold ${s.target}/s` : `ramp →${s.target}/s`,
      start,
      end: start + seconds,
      from,
      to: s.target,
    };
    start += seconds;
    from = s.target;
    return stage;
  });
}

/** One line per stage: the numbers behind the chart. */
export function printStages(
  stages: readonly Stage[],
  samples: readonly Sample[],
  dropped: number[],
) {
  console.log('\nstage          | req/s  | p50 ms | p95 ms | p99 ms | errors | dropped');
  for (const s of stages) {
    const st = stats(samples.filter((x) => x.stage === s.label));
    const drops = dropped.filter((t) => t >= s.start && t < s.end).length;
    const cells = [st.count / (s.end - s.start), st.p50, st.p95, st.p99];
    console.log(
      [
        s.label.padEnd(14),
        ...cells.map((c, i) => c.toFixed(i === 0 ? 0 : 1).padStart(6)),
        `${((100 * st.failed) / Math.max(1, st.count)).toFixed(2).padStart(5)}%`,
        drops,
      ].join(' | '),
    );
  }
}
