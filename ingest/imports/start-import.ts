// One entry for every kind: reference kinds land in Postgres, fact kinds go
// through their stream's validated topic.
import { factWork, type FactImportDeps } from './fact-import.js';
import type { FactKindName } from './fact-kinds.js';
import { prepareImportJob, type ImportRequest, type PreparedImport } from './import-job.js';
import { referenceWork } from './reference-import.js';
import { REFERENCE_KINDS, type ReferenceKindName } from './reference-kinds.js';

export type ImportKindName = ReferenceKindName | FactKindName;

const isReference = (r: ImportRequest<ImportKindName>): r is ImportRequest<ReferenceKindName> =>
  Object.hasOwn(REFERENCE_KINDS, r.kind);

/** Records an import of any kind (or finds the earlier one), ready to run. */
export function prepareImport(
  deps: FactImportDeps,
  request: ImportRequest<ImportKindName>,
): Promise<PreparedImport> {
  const work = isReference(request)
    ? referenceWork(request)
    : factWork(deps, request as ImportRequest<FactKindName>);
  return prepareImportJob(deps, request, work);
}
