// Hostile input through every validator: random bytes, random JSON, and valid
// messages with one field broken or removed. A validator never throws, and a
// refusal always says why (every issue has a message; a broken field is named).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  checkMovementChange,
  checkOrderChange,
  checkStockChange,
} from '../../domain/change-schemas.js';
import type { FieldIssue } from '../../domain/field-issue.js';
import { validateOrder } from '../../domain/order.js';
import { productId } from '../../domain/product-id.js';
import { countryRules, productRules, warehouseRules } from '../../domain/reference-rows.js';
import { parseMovementEvent, validateMovementEvent } from '../../domain/validate-movement.js';
import { parseSale, validateSale } from '../../domain/validate-sale.js';
import { movementEvent } from '../../testkit/movement-events.js';
import { SEED_003_REQUEST } from '../fixtures/sales.js';

type Result = { ok: true } | { ok: false; errors: readonly FieldIssue[] };

const RUNS = { numRuns: 300 };

/** A refusal that explains itself: at least one issue, each with a message. */
function explained(result: Result): boolean {
  return (
    result.ok || (result.errors.length > 0 && result.errors.every((e) => e.message.length > 0))
  );
}

/** A valid object with one of its fields (or one of a nested object's) replaced or removed. */
function mutated(valid: Record<string, unknown>) {
  const paths: string[][] = [];
  const walk = (o: Record<string, unknown>, at: string[]) => {
    for (const [k, v] of Object.entries(o)) {
      paths.push([...at, k]);
      if (v && typeof v === 'object' && !Array.isArray(v))
        walk(v as Record<string, unknown>, [...at, k]);
    }
  };
  walk(valid, []);
  return fc
    .record({
      path: fc.constantFrom(...paths),
      value: fc.oneof(fc.constant(undefined), fc.anything(), fc.string(), fc.double(), fc.bigInt()),
    })
    .map(({ path, value }) => {
      const copy = structuredClone(valid);
      let target = copy;
      for (const k of path.slice(0, -1)) target = target[k] as Record<string, unknown>;
      const last = path[path.length - 1]!;
      if (value === undefined) Reflect.deleteProperty(target, last);
      else target[last] = value;
      return { path, input: copy };
    });
}

const jsonText = fc.oneof(
  fc.json(),
  fc.string(),
  fc.jsonValue().map((v) => JSON.stringify(v)),
);

describe('every validator, fed hostile input', () => {
  it('movement events: never throws on bytes, JSON or a broken seed event; each refusal says why', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) =>
        explained(parseMovementEvent(Buffer.from(bytes))),
      ),
      RUNS,
    );
    fc.assert(
      fc.property(jsonText, (text) => explained(parseMovementEvent(text))),
      RUNS,
    );
    fc.assert(
      fc.property(fc.anything(), (v) => explained(validateMovementEvent(v))),
      RUNS,
    );
    const seed = movementEvent('departure') as unknown as Record<string, unknown>;
    fc.assert(
      fc.property(mutated(seed), ({ input }) => explained(validateMovementEvent(input))),
      RUNS,
    );
  });

  it('sale lines: never throws on bytes, JSON or a broken seed line, and names the broken field', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) =>
        explained(parseSale(Buffer.from(bytes))),
      ),
      RUNS,
    );
    fc.assert(
      fc.property(jsonText, (text) => explained(parseSale(text))),
      RUNS,
    );
    fc.assert(
      fc.property(fc.anything(), (v) => explained(validateSale(v))),
      RUNS,
    );
    fc.assert(
      fc.property(mutated({ ...SEED_003_REQUEST }), ({ path, input }) => {
        const result = validateSale(input);
        // Some replacements are still valid (another id, a missing optional field).
        return (
          result.ok || result.errors.some((e) => e.path === `/${path.join('/')}` || e.path === '')
        );
      }),
      RUNS,
    );
  });

  it('orders: never throws on any body or a broken seed order; each refusal says why', () => {
    const seedOrders = [
      { user_id: 'user123', item_ids: ['item1', 'item2'], total_amount: 99.99 },
      { user_id: 'u', items: [{ product_id: 'item1', quantity: 2 }], total_amount: '159.98' },
    ];
    fc.assert(
      fc.property(fc.anything(), (v) => explained(validateOrder(v, productId))),
      RUNS,
    );
    for (const seed of seedOrders) {
      fc.assert(
        fc.property(mutated(seed), ({ input }) => explained(validateOrder(input, productId))),
        RUNS,
      );
    }
  });

  it('change contracts: never throw on anything', () => {
    for (const check of [checkMovementChange, checkStockChange, checkOrderChange]) {
      fc.assert(
        fc.property(fc.anything(), (v) => explained(check(v))),
        RUNS,
      );
    }
  });

  it('reference rows: never throw on any record of strings; every failure names its column', () => {
    for (const rules of [productRules, warehouseRules, countryRules]) {
      const columns = [...rules.required, ...rules.optional];
      fc.assert(
        fc.property(
          fc.record(
            Object.fromEntries(
              columns.map((c) => [c, fc.oneof(fc.string(), fc.string({ unit: 'binary' }))]),
            ),
          ),
          (record) => {
            const result = rules.parse(record);
            return (
              result.ok ||
              (result.errors.length > 0 &&
                result.errors.every((e) => columns.includes(e.column) && e.message.length > 0))
            );
          },
        ),
        RUNS,
      );
    }
  });
});
