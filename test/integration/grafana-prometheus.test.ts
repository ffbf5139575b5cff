import { describe, expect, it } from 'vitest';
import { checkPrometheusPanels, prometheusPanels } from '../../testkit/promql.js';

// Every Prometheus panel's expr, expanded as Grafana would over its dashboard's range, run as an
// instant query against a real Prometheus: an error or an empty result fails the panel.
//
// The local stack has no Prometheus yet, so this runs only when PROMETHEUS_URL names one that
// scrapes stockflow processes which have done some work (e.g. `docker compose up` with traffic).

const url = process.env.PROMETHEUS_URL;

describe('grafana: every Prometheus panel answers on a real Prometheus', () => {
  it.skipIf(!url)(
    `runs each panel's PromQL through /api/v1/query${url ? ` at ${url}` : ' (skipped: PROMETHEUS_URL is not set, and the local stack has no Prometheus yet)'}`,
    async () => {
      const results = await checkPrometheusPanels(url!);
      expect(results.length).toBe(prometheusPanels().length);
      const failing = results
        .filter((r) => r.problem !== undefined)
        .map((r) => `${r.dashboard} "${r.panel}" ${r.refId}: ${r.problem}\n  ${r.expr}`);
      expect(failing, failing.join('\n')).toEqual([]);
    },
  );
});
