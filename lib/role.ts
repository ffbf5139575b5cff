import type { Router } from 'express';
import type { OpenApiPart } from './http/openapi.js';
import type { Service } from './lifecycle.js';
import type { Dependency, Runtime } from './runtime.js';

/** A route group of the HTTP API with its share of the OpenAPI document. */
export interface ApiFeature {
  readonly openapi: OpenApiPart;
  readonly router: Router;
}

/** What a role (`ingest`, `process`, `api`) contributes to a process. */
export interface RoleParts {
  readonly services: Service[];
  readonly features: ApiFeature[];
  /** What the role talks to: a process's /ready checks exactly its roles' dependencies. */
  readonly dependencies: readonly Dependency[];
}

export type CreateRole = (runtime: Runtime) => Promise<RoleParts>;
