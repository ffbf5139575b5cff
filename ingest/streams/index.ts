import type { AnyStream } from '../stream.js';
import { movementsStream } from './movements.js';
import { ordersStream } from './orders.js';
import { salesStream } from './sales.js';

/** Every stream the ingest role runs. */
export const STREAMS: readonly AnyStream[] = [movementsStream, salesStream, ordersStream];

export { movementsStream, ordersStream, salesStream };
