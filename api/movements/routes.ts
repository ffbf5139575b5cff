import { productId as storedProductId } from '../../domain/product-id.js';
import { createHash } from 'node:crypto';
import express, { type Request } from 'express';
import {
  isoDuration,
  movementProduct,
  movementStatus,
  transitFacts,
} from '../../domain/movement.js';
import { rowToMovement } from '../../lib/postgres/movement-rows.js';
import { notModified } from '../../lib/http/etag.js';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import { fromPostgres, type Pool } from '../../lib/postgres/pool.js';
import type { ApiFeature } from '../../lib/role.js';
import { movementsOpenApi } from './openapi.js';
import {
  getMovement,
  getStockLevel,
  listStockLedger,
  type NamedMovementRow,
  type StockLedgerRow,
  type WarehouseNames,
} from './queries.js';

// GET /api/movements/{movement_id} and GET /api/warehouses/{w}/products/{p}.
// Ids, limit and cursor syntax are checked by the OpenAPI validator before a
// handler runs; responses are checked against the same document after.
// An ETag is the row's version plus a digest of the warehouse names the answer
// shows: a warehouses import renames without touching the movement or the
// stock row, and the client's copy must not stay valid through that.

const DEFAULT_LIMIT = 20;

export function movementsFeature(deps: { pool: Pool }): ApiFeature {
  const router = express.Router();

  router.get('/api/movements/:movement_id', async (req, res) => {
    const row = await fromPostgres(getMovement(deps.pool, param(req, 'movement_id')));
    if (!row) throw new NotFoundError(`no movement ${param(req, 'movement_id')}`);
    const names = namesTag([row.dep_warehouse, row.arr_warehouse]);
    if (notModified(req, res, `"m${row.version}.${names}"`)) return;
    res.json(movementBody(row));
  });

  router.get('/api/warehouses/:warehouse_id/products/:product_id', async (req, res) => {
    const warehouseId = param(req, 'warehouse_id');
    // The validator checked its shape; a UUID is stored lowercased.
    const productId = storedProductId(param(req, 'product_id')) ?? '';
    const limit = Number(req.query.limit ?? DEFAULT_LIMIT);
    const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
    const beforeId = cursor === undefined ? undefined : decodeCursor(cursor);
    // Stock before ledger: a ledger read after the stock row sees at least that
    // version's entries, so an ETag never claims more than its body holds.
    const stock = await fromPostgres(getStockLevel(deps.pool, warehouseId, productId));
    if (!stock) throw new NotFoundError(`warehouse ${warehouseId} never held product ${productId}`);
    const names = namesTag([stock.warehouse]);
    if (notModified(req, res, `"s${stock.version}-${limit}-${cursor ?? ''}.${names}"`)) return;
    const page = await fromPostgres(
      listStockLedger(deps.pool, warehouseId, productId, { limit: limit + 1, beforeId }),
    );
    const items = page.slice(0, limit);
    const last = items.at(-1);
    res.json({
      warehouse_id: stock.warehouse_id,
      warehouse_code: stock.warehouse.code,
      warehouse_name: stock.warehouse.name,
      product_id: stock.product_id,
      quantity: stock.quantity,
      updated_at: stock.updated_at.toISOString(),
      movements: {
        items: items.map(ledgerEntry),
        next_cursor: page.length > limit && last ? encodeCursor(last.id) : null,
      },
    });
  });

  return { openapi: movementsOpenApi, router };
}

/** A short digest of the names an answer shows (a cursor never holds `.`, so it stays apart). */
function namesTag(warehouses: readonly WarehouseNames[]): string {
  const shown = JSON.stringify(warehouses.map((w) => [w.code, w.name]));
  return createHash('sha256').update(shown).digest('base64url').slice(0, 12);
}

function param(req: Request, name: string): string {
  return String(req.params[name]);
}

/** A lost connection is a 503 the client may retry, not a 500. */

function encodeCursor(id: string): string {
  return Buffer.from(id).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString();
  if (!/^[1-9][0-9]{0,17}$/.test(id) || encodeCursor(id) !== cursor) {
    throw new ValidationError('cursor is not one this API handed out', [
      { path: '/query/cursor', message: 'must be a next_cursor from a previous page' },
    ]);
  }
  return id;
}

function ledgerEntry(r: StockLedgerRow) {
  return {
    id: r.id,
    movement_id: r.movement_id,
    order_id: r.order_id,
    reason: r.reason,
    delta: r.delta,
    balance: r.balance,
    occurred_at: r.occurred_at.toISOString(),
    recorded_at: r.recorded_at.toISOString(),
  };
}

function movementBody(row: NamedMovementRow) {
  const m = rowToMovement(row);
  const { transit_seconds, quantity_difference } = transitFacts(m);
  const d = m.departure;
  const a = m.arrival;
  return {
    movement_id: m.movement_id,
    product_id: movementProduct(m) ?? row.product_id,
    status: movementStatus(m),
    sender: d
      ? {
          warehouse_id: d.warehouse_id,
          warehouse_code: row.dep_warehouse.code,
          warehouse_name: row.dep_warehouse.name,
          source: d.source,
          departed_at: d.at,
          quantity: d.quantity,
          state: d.state,
          // When the hold ends (pending) or ended (rejected); an applied departure had none to speak of.
          pending_until:
            d.state !== 'applied' && d.pending_until !== undefined
              ? new Date(d.pending_until).toISOString()
              : null,
          reject_reason: d.reject_reason ?? null,
        }
      : null,
    receiver: a
      ? {
          warehouse_id: a.warehouse_id,
          warehouse_code: row.arr_warehouse.code,
          warehouse_name: row.arr_warehouse.name,
          source: a.source,
          arrived_at: a.at,
          quantity: a.quantity,
        }
      : null,
    transit_seconds,
    transit_duration: transit_seconds === null ? null : isoDuration(transit_seconds),
    quantity_difference,
    anomalies: m.anomalies.map((x) => ({ code: x.code, detail: x.detail, event_id: x.event_id })),
    version: m.version,
    updated_at: row.updated_at.toISOString(),
  };
}
