// k6 load test of stockflow's read API. Run through `npm run loadtest:k6`, which
// seeds data, writes the ids file and renders a chart; or by hand:
//   IDS_FILE=loadtest/results/ids.json k6 run loadtest/k6/movements-api.js
// Env: IDS_FILE (required), BASE_URL (default http://127.0.0.1:8000),
// K6_PROFILE=short for a 40 s run instead of 2 minutes.
import { check } from 'k6';
import exec from 'k6/execution';
import { SharedArray } from 'k6/data';
import http from 'k6/http';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8000';
const SHORT = __ENV.K6_PROFILE === 'short';

// Each level is reached by a ramp, then held; the chart shows each as a band.
const LEVELS = [50, 200, 500, 1000]; // requests per second
const RAMP = SHORT ? '5s' : '10s';
const HOLD = SHORT ? '5s' : '20s';
const STAGES = LEVELS.flatMap((target) => [
  { duration: RAMP, target },
  { duration: HOLD, target },
]);

// Loaded once and shared by every VU. Each element access deserializes just
// that element, so ids are kept as separate small elements, not one big object.
function readIds() {
  if (!__ENV.IDS_FILE) throw new Error('set IDS_FILE to the JSON file of seeded ids');
  return JSON.parse(open(__ENV.IDS_FILE));
}
const movementIds = new SharedArray('movements', () => readIds().movements);
const stockPairs = new SharedArray('stock', () => readIds().stock);

export const options = {
  scenarios: {
    reads: {
      executor: 'ramping-arrival-rate',
      startRate: 10,
      timeUnit: '1s',
      stages: STAGES,
      // Arrival rate is what we control: k6 adds VUs (up to maxVUs) while
      // responses slow down, and counts dropped_iterations beyond that.
      preAllocatedVUs: 50,
      maxVUs: 400,
    },
  },
  discardResponseBodies: true, // only statuses and ETags are looked at
  // Fewer tags keep the JSON output small; `kind` and `stage` are our own.
  systemTags: ['status', 'method', 'name', 'expected_response', 'check', 'scenario'],
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    'http_req_duration{kind:movement}': ['p(95)<250', 'p(99)<500'],
    'http_req_duration{kind:stock}': ['p(95)<250', 'p(99)<500'],
    'http_req_duration{kind:conditional}': ['p(95)<250', 'p(99)<500'],
  },
};

// 304 Not Modified is a success here, not a failure.
http.setResponseCallback(http.expectedStatuses(200, 304));

const STAGE_SECONDS = STAGES.map((s) => parseInt(s.duration, 10));

/** "ramp →200/s" or "hold 200/s": which stage this moment of the test is in. */
function currentStage() {
  let t = (Date.now() - exec.scenario.startTime) / 1000;
  for (let i = 0; i < STAGES.length; i++) {
    if (t < STAGE_SECONDS[i]) return `${i % 2 === 0 ? 'ramp →' : 'hold '}${STAGES[i].target}/s`;
    t -= STAGE_SECONDS[i];
  }
  return 'end';
}

const pick = (list) => list[Math.floor(Math.random() * list.length)];

// ETags this VU has seen, to send back in If-None-Match (bounded).
const seen = [];
function remember(url, res) {
  const etag = res.headers.Etag || res.headers.ETag;
  if (res.status === 200 && etag) {
    if (seen.length >= 200) seen.splice(0, 1);
    seen.push({ url, etag });
  }
}

export default function () {
  const stage = currentStage();
  const r = Math.random();
  if (r < 0.1 && seen.length > 0) {
    // A client revalidating what it has: the data is unchanged, so 304.
    const { url, etag } = pick(seen);
    const res = http.get(url, {
      headers: { 'If-None-Match': etag },
      tags: { kind: 'conditional', stage, name: 'conditional GET (If-None-Match)' },
    });
    check(res, { 'conditional GET is 304': (x) => x.status === 304 });
  } else if (r < 0.4) {
    const { warehouse_id, product_id } = pick(stockPairs);
    const url = `${BASE_URL}/api/warehouses/${warehouse_id}/products/${product_id}`;
    const res = http.get(url, {
      tags: { kind: 'stock', stage, name: 'GET /api/warehouses/{w}/products/{p}' },
    });
    check(res, { 'stock GET is 200': (x) => x.status === 200 });
    remember(url, res);
  } else {
    const url = `${BASE_URL}/api/movements/${pick(movementIds)}`;
    const res = http.get(url, {
      tags: { kind: 'movement', stage, name: 'GET /api/movements/{id}' },
    });
    check(res, { 'movement GET is 200': (x) => x.status === 200 });
    remember(url, res);
  }
}
