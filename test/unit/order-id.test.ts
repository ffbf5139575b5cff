import { describe, expect, it } from 'vitest';
import { newOrderId } from '../../ingest/orders/intake.js';

describe('order ids', () => {
  it('are distinct across many refills of the entropy buffer, in the ORD-<ms>-<12 hex> form', () => {
    const ids = Array.from({ length: 5000 }, () => newOrderId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^ORD-1700000000000-[0-9a-f]{12}$/);
  });
});
