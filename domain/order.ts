// An order (seed 004) as stockflow takes it: who orders, which products in
// which quantities, the total the client computed, and optionally the
// warehouse to take the goods from. Money is exact: whole cents, as bigint.
import type { FieldIssue } from './field-issue.js';

export const ORDER_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderLine {
  readonly product_id: string;
  readonly quantity: number;
}

/** An order request, checked: one line per product (repeated ids summed), the total in cents. */
export interface OrderRequest {
  readonly user_id: string;
  readonly lines: readonly OrderLine[];
  readonly total_cents: bigint;
  readonly warehouse_id: string | null;
}

/** Why an order failed: a stable code, the product it is about, and the numbers. */
export type OrderFailure =
  | { readonly code: 'unknown_product'; readonly product_id: string; readonly message: string }
  | {
      readonly code: 'price_mismatch';
      readonly expected: string;
      readonly got: string;
      readonly message: string;
    }
  | {
      readonly code: 'insufficient_stock';
      readonly product_id: string;
      readonly needed: number;
      readonly available: number;
      readonly warehouse_id: string | null;
      readonly message: string;
    };

export type OrderValidation =
  | { readonly ok: true; readonly order: OrderRequest }
  | { readonly ok: false; readonly errors: readonly FieldIssue[] };

/** Cents as the decimal text of 2 places: 9999n → "99.99". */
export function formatCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** "99.99" / "99.9" / "99" → cents; undefined when not a non-negative decimal of ≤ 2 places. */
export function parseCents(text: string): bigint | undefined {
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  return BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0') || '0');
}

const MAX_LINES = 1000;
const MAX_QUANTITY = 1_000_000;
const MAX_USER_ID = 100;
const ORDER_FIELDS = new Set(['user_id', 'item_ids', 'items', 'total_amount', 'warehouse_id']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    // A BigInt or a cycle: no JSON for it (found by test/unit/validators-fuzz.test.ts).
    text = typeof value;
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** An id the seed sends as a string or an integer ("user123", 1, 101). */
function idText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

/**
 * Checks an order request in either of its shapes: the seed's
 * `{user_id, item_ids, total_amount}` (each id one unit) or
 * `{user_id, items: [{product_id, quantity}], total_amount, warehouse_id?}`.
 * Every problem is reported, each with its JSON path. Never throws.
 */
export function validateOrder(
  input: unknown,
  productId: (id: string) => string | undefined,
): OrderValidation {
  const errors: FieldIssue[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      errors: [{ path: '', message: `must be a JSON object, got ${preview(input)}` }],
    };
  }
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!ORDER_FIELDS.has(key))
      errors.push({ path: `/${key}`, message: 'is not a field of an order' });
  }
  const user = idText(o.user_id);
  if (
    user === undefined ||
    user.trim() === '' ||
    user.length > MAX_USER_ID ||
    /\p{Cc}/u.test(user)
  ) {
    errors.push({
      path: '/user_id',
      message: `must be a string of 1 to ${MAX_USER_ID} characters or a non-negative integer, got ${preview(o.user_id)}`,
    });
  }
  const quantities = new Map<string, number>();
  const add = (path: string, raw: unknown, quantity: number) => {
    const text = idText(raw);
    const id = text === undefined ? undefined : productId(text);
    if (id === undefined) {
      errors.push({
        path,
        message: `must be a product id (a string or an integer), got ${preview(raw)}`,
      });
      return;
    }
    quantities.set(id, (quantities.get(id) ?? 0) + quantity);
  };
  const hasIds = o.item_ids !== undefined;
  const hasItems = o.items !== undefined;
  if (hasIds === hasItems) {
    errors.push({ path: '', message: 'must have exactly one of item_ids and items' });
  } else if (hasIds) {
    const ids = o.item_ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_LINES) {
      errors.push({
        path: '/item_ids',
        message: `must be an array of 1 to ${MAX_LINES} product ids`,
      });
    } else {
      ids.forEach((id, i) => add(`/item_ids/${i}`, id, 1));
    }
  } else {
    const items = o.items;
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_LINES) {
      errors.push({ path: '/items', message: `must be an array of 1 to ${MAX_LINES} items` });
    } else {
      items.forEach((item, i) => {
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
          errors.push({ path: `/items/${i}`, message: 'must be an object {product_id, quantity}' });
          return;
        }
        const it = item as Record<string, unknown>;
        for (const key of Object.keys(it)) {
          if (key !== 'product_id' && key !== 'quantity') {
            errors.push({ path: `/items/${i}/${key}`, message: 'is not a field of an item' });
          }
        }
        const q = it.quantity;
        if (typeof q !== 'number' || !Number.isInteger(q) || q < 1 || q > MAX_QUANTITY) {
          errors.push({
            path: `/items/${i}/quantity`,
            message: `must be an integer from 1 to ${MAX_QUANTITY}, got ${preview(q)}`,
          });
          return;
        }
        add(`/items/${i}/product_id`, it.product_id, q);
      });
    }
  }
  for (const [id, q] of quantities) {
    if (q > MAX_QUANTITY)
      errors.push({ path: '', message: `orders more than ${MAX_QUANTITY} of ${id}` });
  }
  const amount = o.total_amount;
  const cents =
    typeof amount === 'number' && Number.isFinite(amount)
      ? parseCents(String(amount))
      : typeof amount === 'string'
        ? parseCents(amount)
        : undefined;
  if (cents === undefined) {
    errors.push({
      path: '/total_amount',
      message: `must be a non-negative amount with at most 2 decimal places, got ${preview(amount)}`,
    });
  }
  let warehouse: string | null = null;
  if (o.warehouse_id !== undefined && o.warehouse_id !== null) {
    if (typeof o.warehouse_id === 'string' && UUID.test(o.warehouse_id)) {
      warehouse = o.warehouse_id.toLowerCase();
    } else {
      errors.push({
        path: '/warehouse_id',
        message: `must be a UUID, got ${preview(o.warehouse_id)}`,
      });
    }
  }
  if (errors.length > 0 || user === undefined || cents === undefined) return { ok: false, errors };
  const lines = [...quantities].map(([product_id, quantity]) => ({ product_id, quantity }));
  return { ok: true, order: { user_id: user, lines, total_cents: cents, warehouse_id: warehouse } };
}

/** The catalog's total for the lines, or why the order cannot be priced. */
export function priceOrder(
  lines: readonly OrderLine[],
  total_cents: bigint,
  unitCents: ReadonlyMap<string, bigint>,
): { readonly ok: true } | { readonly ok: false; readonly failure: OrderFailure } {
  let sum = 0n;
  for (const line of lines) {
    const unit = unitCents.get(line.product_id);
    if (unit === undefined) {
      const message = `product ${line.product_id} is not in the catalog`;
      return {
        ok: false,
        failure: { code: 'unknown_product', product_id: line.product_id, message },
      };
    }
    sum += unit * BigInt(line.quantity);
  }
  if (sum !== total_cents) {
    const expected = formatCents(sum);
    const got = formatCents(total_cents);
    const message = `total_amount is ${got}, but the catalog's prices make ${expected}`;
    return { ok: false, failure: { code: 'price_mismatch', expected, got, message } };
  }
  return { ok: true };
}

export interface Take {
  readonly warehouse_id: string;
  readonly product_id: string;
  readonly quantity: number;
}

/**
 * Where each line's units come from: the order's warehouse when it names one,
 * else the warehouse holding the most of the product (the lowest id on a tie).
 * All or nothing: the first line that cannot be served fails the whole order.
 * `levels` maps product → warehouse → quantity, and is not changed.
 */
export function planReservation(
  lines: readonly OrderLine[],
  warehouse: string | null,
  levels: ReadonlyMap<string, ReadonlyMap<string, number>>,
):
  | { readonly ok: true; readonly takes: readonly Take[] }
  | { readonly ok: false; readonly failure: OrderFailure } {
  const takes: Take[] = [];
  for (const line of lines) {
    const at = levels.get(line.product_id) ?? new Map<string, number>();
    let best: string | null = warehouse;
    let available = warehouse === null ? 0 : (at.get(warehouse) ?? 0);
    if (warehouse === null) {
      for (const [w, q] of at) {
        if (q > available || (q === available && best !== null && w < best)) {
          best = w;
          available = q;
        }
      }
    }
    if (best === null || available < line.quantity) {
      const where = warehouse === null ? 'any warehouse' : `warehouse ${warehouse}`;
      return {
        ok: false,
        failure: {
          code: 'insufficient_stock',
          product_id: line.product_id,
          needed: line.quantity,
          available,
          warehouse_id: warehouse ?? best,
          message: `${line.quantity} of ${line.product_id} needed, ${available} available at ${where}`,
        },
      };
    }
    takes.push({ warehouse_id: best, product_id: line.product_id, quantity: line.quantity });
  }
  return { ok: true, takes };
}
