import type { Logger } from './logger.js';

/** A long-running part of a process: an HTTP server, a consumer loop. */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  /** Stop taking new work, finish (and commit) what is in flight, release resources. */
  stop(): Promise<void>;
}

export interface ShutdownOptions {
  readonly logger: Logger;
  readonly timeoutMs: number;
  /** Runs after every service stopped: close shared clients. */
  readonly finally: () => Promise<void>;
  /** Aborting it shuts the process down and exits 1. */
  readonly fatal?: AbortSignal;
}

/**
 * Starts services in order and, on SIGTERM/SIGINT, stops them in reverse
 * order: consumers drain and commit before the clients they use are closed.
 * A second signal, or the timeout, exits at once.
 */
export async function runServices(
  services: readonly Service[],
  options: ShutdownOptions,
): Promise<void> {
  const { logger } = options;
  const started: Service[] = [];
  let stopping = false;

  let exitCode = 0;
  const stopAll = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down: draining in-flight work');
    const timer = setTimeout(() => {
      logger.error(
        { timeout_ms: options.timeoutMs },
        'shutdown timed out; exiting without a clean drain',
      );
      process.exit(1);
    }, options.timeoutMs);
    timer.unref();
    let failed = false;
    for (const service of [...started].reverse()) {
      try {
        await service.stop();
        logger.info({ service: service.name }, 'stopped');
      } catch (err) {
        failed = true;
        logger.error({ err, service: service.name }, 'failed to stop cleanly');
      }
    }
    await options
      .finally()
      .catch((err: unknown) => logger.error({ err }, 'closing clients failed'));
    clearTimeout(timer);
    logger.info('shutdown complete');
    process.exit(failed ? 1 : exitCode);
  };

  options.fatal?.addEventListener('abort', () => {
    logger.fatal({ err: options.fatal?.reason as unknown }, 'fatal error');
    exitCode = 1;
    void stopAll('fatal error');
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      void stopAll(signal);
    });
  }

  for (const service of services) {
    await service.start();
    started.push(service);
    logger.info({ service: service.name }, 'started');
  }
}
