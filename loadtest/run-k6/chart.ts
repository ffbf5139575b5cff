// The latency chart (loadtest/results/latency.svg): requests/s and latency percentiles per window.
import { WINDOW_S, type Stats, type Window } from './samples.js';
import type { Stage } from './stages.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function niceStep(max: number, ticks = 5): number {
  const raw = max / ticks;
  const pow = 10 ** Math.floor(Math.log10(raw || 1));
  return ([1, 2, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
}

/** Two panels over one time axis: requests/s (with the target rate), then latency percentiles. */
export function renderSvg(
  ws: readonly Window[],
  stages: readonly Stage[],
  title: string,
  note: string,
) {
  const W = 1000;
  const H = 640;
  const left = 80;
  const right = W - 30;
  const end = Math.max(stages.at(-1)?.end ?? 0, (ws.at(-1)?.start ?? 0) + WINDOW_S);
  const rate = (w: Window, n = w.count) => n / w.seconds;
  const x = (t: number) => left + (t / end) * (right - left);
  const out: string[] = [];
  const text = (px: number, py: number, s: string, attrs = '') =>
    out.push(`<text x="${px.toFixed(1)}" y="${py.toFixed(1)}" ${attrs}>${esc(s)}</text>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12" fill="#222">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
  );
  text(left, 26, title, 'font-size="17" font-weight="bold"');
  text(left, 46, note, 'fill="#555"');

  const panel = (top: number, bottom: number, yLabel: string) => {
    // Stage bands: ramps shaded, holds white, so each level reads as one block.
    for (const s of stages)
      if (s.label.startsWith('ramp'))
        out.push(
          `<rect x="${x(s.start).toFixed(1)}" y="${top}" width="${(x(s.end) - x(s.start)).toFixed(1)}" height="${bottom - top}" fill="#f1f1f1"/>`,
        );
    out.push(
      `<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#999"/>`,
    );
    text(
      18,
      (top + bottom) / 2,
      yLabel,
      `transform="rotate(-90 18 ${(top + bottom) / 2})" text-anchor="middle" font-size="13"`,
    );
  };
  const hline = (py: number, label: string) => {
    out.push(
      `<line x1="${left}" x2="${right}" y1="${py.toFixed(1)}" y2="${py.toFixed(1)}" stroke="#ddd"/>`,
    );
    text(left - 6, py + 4, label, 'text-anchor="end" fill="#444"');
  };
  const polyline = (points: [number, number][], color: string, extra = '') =>
    out.push(
      `<polyline points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2" ${extra}/>`,
    );
  const legend = (px: number, py: number, items: [string, string, string?][]) => {
    let at = px;
    for (const [label, color, dash] of items) {
      out.push(
        `<line x1="${at}" x2="${at + 22}" y1="${py - 4}" y2="${py - 4}" stroke="${color}" stroke-width="${dash === 'bar' ? 8 : 2.5}" ${dash && dash !== 'bar' ? `stroke-dasharray="${dash}"` : ''}/>`,
      );
      text(at + 28, py, label);
      at += 40 + label.length * 6.6;
    }
  };

  // Panel 1: achieved requests/s per window (bars, failures in red) and the target rate.
  const [t1, b1] = [90, 280];
  const rateMax = Math.max(...ws.map((w) => rate(w)), ...stages.map((s) => s.to), 1);
  const rStep = niceStep(rateMax);
  const rTop = Math.ceil(rateMax / rStep) * rStep;
  const y1 = (v: number) => b1 - (v / rTop) * (b1 - t1);
  panel(t1, b1, 'requests / s');
  for (let v = 0; v <= rTop; v += rStep) hline(y1(v), String(v));
  for (const w of ws) {
    const bw = x(w.seconds) - x(0) - 2;
    const ok = rate(w, w.count - w.failed);
    out.push(
      `<rect x="${(x(w.start) + 1).toFixed(1)}" y="${y1(ok).toFixed(1)}" width="${bw.toFixed(1)}" height="${(b1 - y1(ok)).toFixed(1)}" fill="#4e79a7"/>`,
    );
    if (w.failed > 0)
      out.push(
        `<rect x="${(x(w.start) + 1).toFixed(1)}" y="${y1(rate(w)).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y1(ok) - y1(rate(w))).toFixed(1)}" fill="#e15759"/>`,
      );
  }
  polyline(
    stages.flatMap(
      (s) =>
        [
          [x(s.start), y1(s.from)],
          [x(s.end), y1(s.to)],
        ] as [number, number][],
    ),
    '#222',
    'stroke-dasharray="6 4"',
  );
  for (const s of stages)
    if (s.label.startsWith('hold'))
      text(
        (x(s.start) + x(s.end)) / 2,
        t1 + 16,
        `${s.to}/s`,
        // A white halo keeps the label readable over a bar.
        'text-anchor="middle" fill="#333" stroke="#fff" stroke-width="3" paint-order="stroke"',
      );
  legend(left, 76, [
    ['achieved requests/s (5 s windows)', '#4e79a7', 'bar'],
    ['failed requests/s', '#e15759', 'bar'],
    ['target arrival rate', '#222', '6 4'],
  ]);

  // Panel 2: latency percentiles per window; a log scale when they span decades.
  const [t2, b2] = [340, 580];
  const lat = ws.filter((w) => w.count > 0);
  const lo = Math.max(0.1, Math.min(...lat.map((w) => w.p50)));
  const hi = Math.max(...lat.map((w) => w.p99), 1);
  const log = hi / lo > 20;
  let y2: (v: number) => number;
  panel(t2, b2, log ? 'latency (ms, log scale)' : 'latency (ms)');
  if (log) {
    const a = Math.floor(Math.log10(lo));
    const b = Math.ceil(Math.log10(hi));
    y2 = (v) => b2 - ((Math.log10(Math.max(v, 10 ** a)) - a) / (b - a)) * (b2 - t2);
    for (let e = a; e <= b; e++)
      for (const m of [1, 2, 5])
        if (m * 10 ** e <= 10 ** b) hline(y2(m * 10 ** e), String(+(m * 10 ** e).toPrecision(2)));
  } else {
    const step = niceStep(hi);
    const top = Math.ceil(hi / step) * step;
    y2 = (v) => b2 - (v / top) * (b2 - t2);
    for (let v = 0; v <= top; v += step) hline(y2(v), String(+v.toPrecision(3)));
  }
  const series: [keyof Stats, string, string][] = [
    ['p50', '#59a14f', 'p50'],
    ['p95', '#f28e2b', 'p95'],
    ['p99', '#b6174b', 'p99'],
  ];
  for (const [key, color] of series) {
    const pts = lat.map((w) => [x(w.start + w.seconds / 2), y2(w[key])] as [number, number]);
    polyline(pts, color);
    for (const [px, py] of pts)
      out.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="2.5" fill="${color}"/>`);
  }
  legend(
    left,
    326,
    series.map(([, color, label]) => [`${label} latency`, color] as [string, string]),
  );

  // Shared time axis.
  const tStep = niceStep(end, 10);
  for (let t = 0; t <= end; t += tStep) {
    out.push(
      `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${b2}" y2="${b2 + 5}" stroke="#444"/>`,
    );
    text(x(t), b2 + 18, String(t), 'text-anchor="middle" fill="#444"');
  }
  text(
    (left + right) / 2,
    b2 + 40,
    'time since start (s) — shaded: ramping to the next rate',
    'text-anchor="middle" font-size="13"',
  );
  out.push('</svg>');
  return out.join('\n');
}
