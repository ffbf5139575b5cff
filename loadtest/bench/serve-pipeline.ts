// The start the orders intake and the load-test scenarios share: the local stack up, an isolated
// pipeline (its own topics and databases), whatever data it should serve, and stockflow processes
// serving it, each in a process of its own as docker-compose.yml runs them.
import { settings } from '../../lib/config.js';
import { benchStack } from './stack.js';
import type { Pipeline } from '../../testkit/pipeline-harness.js';
import type { ServingStockflow } from '../../testkit/stockflow-process.js';

export interface ServedPipeline {
  readonly pipeline: Pipeline;
  /** The environment of the pipeline's stockflow processes (for starting another). */
  readonly env: Record<string, string>;
  /** The processes, in the order they were asked for. */
  readonly processes: readonly ServingStockflow[];
  /** Messages on a topic so far. */
  messages(topic: string): Promise<number>;
  /** Stops the processes, last first, and removes the pipeline's topics and databases. */
  close(): Promise<void>;
}

export interface ServeOptions {
  /**
   * The pipeline's settings (createPipeline's), which its processes get too; DATABASE_POOL_SIZE is
   * production's default unless given (the harness' own 5 starves concurrent imports).
   */
  readonly settings?: Record<string, string>;
  /** More environment for the processes only. */
  readonly env?: Record<string, string>;
  /** Runs before any process starts: the data they serve. */
  readonly prepare?: (p: Pipeline) => Promise<void>;
  /** A process each: its stockflow command line and Node options. */
  readonly processes: readonly {
    readonly args: readonly string[];
    readonly nodeOptions?: readonly string[];
  }[];
}

export async function servePipeline(options: ServeOptions): Promise<ServedPipeline> {
  await benchStack();
  // After benchStack(): testkit's logger reads TEST_LOG_LEVEL when it is imported.
  const { createPipeline, topicSize } = await import('../../testkit/pipeline-harness.js');
  const { serveStockflow, stopChild } = await import('../../testkit/stockflow-process.js');
  const p = await createPipeline({
    DATABASE_POOL_SIZE: settings.databasePoolSize.default,
    ...options.settings,
  });
  const started: ServingStockflow[] = [];
  const close = async () => {
    for (const s of [...started].reverse()) await stopChild(s.child, 'SIGTERM');
    await p.close();
  };
  try {
    await options.prepare?.(p);
    // As production runs it: answers not checked against the OpenAPI document (docker-compose.yml
    // sets the same); API_VALIDATE_RESPONSES=true in the caller's environment measures them checked.
    const env = {
      ...p.env,
      LOG_LEVEL: 'warn',
      API_VALIDATE_RESPONSES: process.env.API_VALIDATE_RESPONSES ?? 'false',
      ...options.env,
    };
    for (const { args, nodeOptions } of options.processes)
      started.push(await serveStockflow(args, env, nodeOptions));
    return { pipeline: p, env, processes: [...started], messages: topicSize, close };
  } catch (err) {
    await close();
    throw err;
  }
}
