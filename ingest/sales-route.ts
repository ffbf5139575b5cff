import { Router } from 'express';
import type { Producer } from 'kafkajs';
import { validateSale } from '../domain/validate-sale.js';
import { SOURCE_HEADER, httpSource } from '../lib/kafka/provenance.js';
import type { ApiFeature } from '../lib/role.js';
import type { SalesTopics } from '../lib/kafka/topics.js';
import { acceptBatch, sendOrUnavailable } from './accept-batch.js';
import { saleMessage } from './sale-codec.js';
import { salesOpenApi } from './sales-openapi.js';

export interface SalesDeps {
  readonly producer: Producer;
  readonly topics: SalesTopics;
  /** The registered sale schema's id (known once the API has started). */
  readonly schemaId: () => number;
}

/** POST /ingest (seed 003's path): sale lines straight to the validated sales topic, validated as the ingest role does. */
export function salesFeature(deps: SalesDeps): ApiFeature {
  const router = Router();
  router.post('/ingest', async (req, res) => {
    const sales = acceptBatch(req.body, validateSale, 'sales').map((r) => r.sale);
    const schemaId = deps.schemaId();
    await sendOrUnavailable(
      deps.producer,
      [
        {
          topic: deps.topics.validated,
          messages: sales.map((s, i) => {
            const m = saleMessage(schemaId, s);
            return { ...m, headers: { [SOURCE_HEADER]: httpSource(req.id, i) } };
          }),
        },
      ],
      'sales',
    );
    res.status(202).json({ accepted: sales.length });
  });
  return { openapi: salesOpenApi, router };
}
