import type { Config } from '../lib/config.js';
import type { StackPaths } from './paths.js';

export interface StackContext {
  readonly config: Config;
  readonly paths: StackPaths;
  /** Progress for the person watching; one line per step. */
  readonly say: (message: string) => void;
}

export interface Health {
  readonly ok: boolean;
  readonly version?: string;
  readonly detail?: string;
}

export interface LaunchSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly uid?: number;
  readonly gid?: number;
}

/** One server of the local stack. The manager owns pids, ports, logs and waiting. */
export interface Component {
  readonly name:
    'postgres' | 'clickhouse' | 'kafka' | 'registry' | 'postgres-exporter' | 'prometheus';
  /** Env var that, when set, makes this component external. */
  readonly externalVar: string;
  readonly ports: readonly number[];
  readonly stopSignal: NodeJS.Signals;
  readonly startTimeoutMs: number;
  isLocal(config: Config): boolean;
  /** Where clients reach it, as configured (local or external). */
  address(config: Config): string;
  /** Idempotent: installs binaries on first use, writes configs, initialises data. */
  prepare(ctx: StackContext): Promise<void>;
  launch(ctx: StackContext): LaunchSpec;
  /** Is whatever listens at `address` healthy, and which version is it? */
  probe(ctx: StackContext): Promise<Health>;
  /** After a local start: users, databases and the like. Idempotent. */
  provision?(ctx: StackContext): Promise<void>;
}
