import { TsvBuffer } from './tsv.js';

/** A chunk of a batch, encoded: its rows' TSV, their identities and where each row ends. */
export interface Chunk {
  readonly out: TsvBuffer;
  /** The rows' seen columns, TSV, for the identity lookup. */
  readonly seen: TsvBuffer;
  readonly ids: readonly string[];
  readonly ends: readonly number[];
  /** Identities already stored when the chunk was encoded. */
  readonly stale: ReadonlySet<string>;
  readonly lastOffset: bigint;
}

/** The chunk's rows whose identity is not in `stale`, as one body. */
export function unstored(chunk: Chunk, stale: ReadonlySet<string>): { body: Buffer; rows: number } {
  const { out, ids, ends } = chunk;
  if (stale.size === 0) return { body: out.body(), rows: ids.length };
  const kept = new TsvBuffer(out.length);
  let rows = 0;
  for (let i = 0, from = 0; i < ids.length; from = ends[i]!, i++) {
    if (stale.has(ids[i]!)) continue;
    kept.raw(out.bytes, from, ends[i]!);
    rows++;
  }
  return { body: kept.body(), rows };
}
