// The run's HTML report: the chart inline, a row per step, and what the numbers mean.
import type { StepResult } from '../engine/types.js';
import { findKnee, KNEE_FACTOR } from './knee.js';
import type { RunReport } from './types.js';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number | null) => (n === null ? '—' : n < 10 ? n.toFixed(2) : n.toFixed(1));
const counts = (m: Readonly<Record<string, number>>) =>
  Object.entries(m)
    .map(([k, n]) => `${int(n)}× ${k}`)
    .join(', ');

/** The per-step table's columns: heading and cell. Also what the CLI prints. */
export const COLUMNS: readonly [string, (s: StepResult) => string][] = [
  ['offered /s', (s) => int(s.offered)],
  ['sent', (s) => int(s.sent)],
  ['2xx', (s) => int(s.ok)],
  ['achieved /s', (s) => s.achieved.toFixed(1)],
  ['p50 ms', (s) => ms(s.p50)],
  ['p95 ms', (s) => ms(s.p95)],
  ['p99 ms', (s) => ms(s.p99)],
  ['max ms', (s) => ms(s.max)],
  ['non-2xx', (s) => int(s.non2xx)],
  ['socket errors', (s) => int(s.socketErrors)],
  ['max in flight', (s) => int(s.maxInFlight)],
  ['sender lag p99 ms', (s) => s.senderLagP99.toFixed(1)],
  ['sender CPU', (s) => `${Math.round(s.senderCpu * 100)}%`],
];

export function renderHtml(run: RunReport, svg: string): string {
  const knee = findKnee(run.steps);
  const rows = run.steps.map((s, i) => {
    const details = [
      s.non2xx > 0 ? `statuses: ${counts(s.statuses)}` : '',
      s.socketErrors > 0 ? `socket errors: ${counts(s.errorKinds)}` : '',
    ].filter(Boolean);
    const cells = COLUMNS.map(([, cell]) => `<td>${esc(cell(s))}</td>`).join('');
    return (
      `<tr${knee?.index === i ? ' class="knee" title="the knee"' : ''}><td>${i + 1}${knee?.index === i ? ' ◆' : ''}</td>${cells}</tr>` +
      (details.length ? `<tr class="detail"><td></td><td colspan="${COLUMNS.length}">${esc(details.join('; '))}</td></tr>` : '') // prettier-ignore
    );
  });
  const sent = run.steps.reduce((n, s) => n + s.sent, 0);
  const ok = run.steps.reduce((n, s) => n + s.ok, 0);
  const kneeText = knee
    ? `The knee is step ${knee.index + 1}, at ${int(knee.offered)} requests/s: its p99 (${knee.p99 === null ? 'none: no 2xx answer' : `${ms(knee.p99)} ms`}) is more than ${KNEE_FACTOR}× the floor of ${ms(knee.floor)} ms, the lowest p99 of the steps before it (at ${int(knee.floorOffered)}/s).`
    : `No knee: no step's p99 went past ${KNEE_FACTOR}× the lowest p99 of the steps before it.`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>stockflow load test: ${esc(run.scenario.name)} — ${esc(run.startedAt)}</title>
<style>
  body { font-family: Helvetica, Arial, sans-serif; margin: 24px; color: #222; max-width: 1100px; }
  table { border-collapse: collapse; margin: 16px 0; font-size: 14px; }
  th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
  th { background: #f3f3f3; }
  tr.knee td { background: #efe6f5; font-weight: bold; }
  tr.detail td { text-align: left; color: #a00; font-size: 12px; border-top: none; }
  dt { font-weight: bold; margin-top: 8px; }
  .meta { color: #555; }
</style>
</head>
<body>
<h1>stockflow load test: ${esc(run.scenario.name)} (${esc(run.scenario.title)})</h1>
<p class="meta">${esc(run.startedAt)} · ${int(run.connections)} connections · ${run.stepSeconds} s a step after ${run.warmupSeconds} s of warm-up · ${esc(run.machine)}</p>
<p>${esc(run.scenario.description)}</p>
<p><strong>${esc(kneeText)}</strong></p>
${svg}
<table>
<thead><tr><th>step</th>${COLUMNS.map(([h]) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<p>${int(sent)} requests sent, ${int(ok)} answered 2xx${run.warmup ? ` (and before the first step a warm-up: ${int(run.warmup.sent)} sent, ${int(run.warmup.ok)} answered 2xx)` : ''}${run.recorded ? `; the system under test counted ${int(run.recorded.count)} ${esc(run.recorded.what)}, warm-up included` : ''}.</p>
<dl>
<dt>Open model</dt><dd>Request k of a step is due at k / rate from the step's start, whatever the answers before it did, and goes out on connection k mod ${int(run.connections)} (all opened before the first step). A step ends when every request it sent is answered (at most 60 s past its last due time).</dd>
<dt>Latency</dt><dd>From a request's due time to its answer fully read, over the 2xx answers: time spent waiting for a busy connection or a late sender counts (no coordinated omission).</dd>
<dt>Achieved</dt><dd>2xx answers divided by the seconds from the step's start to its end or its last answer, whichever is later.</dd>
<dt>Errors</dt><dd>non-2xx: answers with another status; socket errors: requests with no answer (refused or reset connections, timeouts of 30 s).</dd>
<dt>Sender lag, sender CPU</dt><dd>The load generator's own event-loop delay (p99) and CPU (100% = one core busy throughout): a high lag means the sender, not the server, was late.</dd>
<dt>Knee</dt><dd>The first step whose p99 exceeds ${KNEE_FACTOR}× the lowest p99 of the steps before it.</dd>
</dl>
</body>
</html>
`;
}
