// The daily job's view of the inbox: which files it holds and the kind each
// names by its file name (`products*.csv`, `stock_counts*.csv`, …).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { IMPORT_KINDS } from '../../domain/import-kinds.js';
import type { ImportKindName } from './start-import.js';

/** Kinds in the order a job imports them: reference data before the facts that name it. */
export const JOB_ORDER: readonly ImportKindName[] = IMPORT_KINDS;

/** The kind a file name names, if any: the longest kind its name starts with. */
export function kindOfFile(name: string): ImportKindName | undefined {
  if (!name.toLowerCase().endsWith('.csv')) return undefined;
  const lower = name.toLowerCase();
  return [...JOB_ORDER].sort((a, b) => b.length - a.length).find((k) => lower.startsWith(k));
}

export interface InboxFile {
  readonly name: string;
  readonly path: string;
  readonly kind: ImportKindName | undefined;
}

/** The inbox's files (not its subfolders), in the order a job imports them. */
export async function inboxFiles(inbox: string): Promise<InboxFile[]> {
  const entries = await readdir(inbox, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => ({ name: e.name, path: path.join(inbox, e.name), kind: kindOfFile(e.name) }));
  const rank = (f: InboxFile) => (f.kind ? JOB_ORDER.indexOf(f.kind) : JOB_ORDER.length);
  return files.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}
