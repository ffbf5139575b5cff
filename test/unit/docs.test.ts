import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../stack/paths.js';
import { anchor, codeSpans, linkTargets, sections, shellCommands } from '../markdown.js';

// Files move; the documents that name them must move with them. Every relative
// link and every repository path a document names in backticks (or in a shell
// block) must exist, and README stays a user's document, not a diary.

// Room for five seed systems in one page; details beyond that belong in docs/.
const README_MAX_LINES = 520;

/** .gitignore's entries as tests: exact paths (and what is under them), or `*` patterns on a name. */
function ignoredBy(gitignore: string): (relative: string) => boolean {
  const patterns = gitignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.replace(/^\//, '').replace(/\/$/, ''));
  return (relative) =>
    patterns.some((p) =>
      p.includes('*')
        ? new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(
            path.basename(relative),
          )
        : relative === p || relative.startsWith(`${p}/`),
    );
}

const ignored = ignoredBy(readFileSync(path.join(PROJECT_ROOT, '.gitignore'), 'utf8'));

function walk(dir: string): string[] {
  return readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const relative = dir === '' ? e.name : `${dir}/${e.name}`;
    if (ignored(relative) || e.name === '.git') return [];
    return e.isDirectory() ? walk(relative) : [relative];
  });
}

const FILES = walk('');
const DOCUMENTS = FILES.filter((f) => f.endsWith('.md'));
/** The project's own top-level files and folders: a path starting with one is a repository path. */
const TOP_LEVEL = new Set(FILES.map((f) => f.split('/')[0] ?? ''));
const FILE_EXTENSIONS =
  /\.(ts|js|mjs|json|ndjson|sql|avsc|md|yml|yaml|svg|xml|properties|sh|html)$/;

/** `lib/{kafka,postgres}/x.ts` → both paths. */
function expandBraces(p: string): string[] {
  const m = /\{([^{}]*,[^{}]*)\}/.exec(p);
  if (!m) return [p];
  return (m[1] ?? '')
    .split(',')
    .flatMap((alt) => expandBraces(p.slice(0, m.index) + alt + p.slice(m.index + m[0].length)));
}

/** Whether `token` reads as a path of this repository (rather than a topic, a MIME type, a URL). */
function isRepoPath(token: string): boolean {
  if (!/^[\w./*{},-]+$/.test(token) || token.startsWith('-') || token.includes('..')) return false;
  const first = token.split('/')[0] ?? '';
  if (token.includes('/')) return TOP_LEVEL.has(first);
  return FILE_EXTENSIONS.test(token) && !token.includes('*');
}

/** Whether a repository path a document names exists: a file, a folder, or a glob with a match. */
function exists(document: string, named: string): boolean {
  const clean = named.replace(/\/$/, '');
  const bases = ['', path.posix.dirname(document)].map((b) => (b === '.' ? '' : b));
  return expandBraces(clean).every((p) =>
    bases.some((base) => {
      const full = path.posix.join(base, p);
      if (ignored(full)) return true; // generated, never committed
      if (!full.includes('*')) return existsSync(path.join(PROJECT_ROOT, full));
      const glob = new RegExp(
        `^${full.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`,
      );
      return FILES.some((f) => glob.test(f));
    }),
  );
}

/** GitHub's anchors of a document's headings (a repeated heading gets -1, -2, …). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const s of sections(markdown)) {
    const heading = s.path[s.path.length - 1];
    if (heading === undefined) continue;
    const a = anchor(heading);
    const n = seen.get(a) ?? 0;
    seen.set(a, n + 1);
    out.add(n === 0 ? a : `${a}-${n}`);
  }
  return out;
}

const read = (relative: string) => readFileSync(path.join(PROJECT_ROOT, relative), 'utf8');

describe('documentation', () => {
  it('finds the documents: README and docs/', () => {
    expect(DOCUMENTS).toContain('README.md');
    expect(DOCUMENTS.some((d) => d.startsWith('docs/'))).toBe(true);
  });

  it.each(DOCUMENTS)(
    '%s: every relative link points to a file, and its anchor to a heading',
    (doc) => {
      const text = read(doc);
      const broken: string[] = [];
      for (const target of linkTargets(text)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
        const [file = '', fragment] = target.split('#');
        const resolved = file === '' ? doc : path.posix.normalize(path.posix.join(path.posix.dirname(doc), file)); // prettier-ignore
        const full = path.join(PROJECT_ROOT, resolved);
        if (!existsSync(full)) {
          broken.push(`${target} (no ${resolved})`);
          continue;
        }
        if (fragment && resolved.endsWith('.md') && statSync(full).isFile()) {
          if (!anchors(read(resolved)).has(fragment)) broken.push(`${target} (no such heading)`);
        }
      }
      expect(broken).toEqual([]);
    },
  );

  it.each(DOCUMENTS)('%s: every repository path it names exists', (doc) => {
    const text = read(doc);
    const named = codeSpans(text).filter(isRepoPath);
    for (const s of sections(text))
      for (const fence of s.fences.filter((f) => ['bash', 'sh', 'shell'].includes(f.lang)))
        for (const command of shellCommands(fence.code))
          named.push(
            ...command
              .split(/[\s<>|;'"]+/)
              .filter((t) => t.includes('/') || FILE_EXTENSIONS.test(t))
              .filter(isRepoPath),
          );
    expect(named.filter((p) => !exists(doc, p))).toEqual([]);
  });

  it('the path check would catch a stale path', () => {
    expect(isRepoPath('lib/clickhouse-sql.ts')).toBe(true);
    expect(exists('README.md', 'lib/clickhouse-sql.ts')).toBe(false);
    expect(exists('README.md', 'lib/clickhouse/sql.ts')).toBe(true);
    expect(exists('README.md', 'lib/{kafka,postgres,nowhere}/')).toBe(false);
    for (const notAPath of ['application/json', 'warehouse_movements.dlq', '/api/events', '{db}'])
      expect(isRepoPath(notAPath), notAPath).toBe(false);
  });

  it(`README is a user's document of at most ${README_MAX_LINES} lines`, () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(README_MAX_LINES);
  });
});
