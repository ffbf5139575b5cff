// Just enough Markdown for the documentation tests: headings, fenced blocks,
// code spans and links, with what is inside a fenced block kept out of the rest.

export interface Fence {
  /** The info string's first word (`bash`), or '' for a bare fence. */
  readonly lang: string;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
}

export interface Section {
  /** Heading texts from the top: ['Try it', 'A movement (seed 001)']. */
  readonly path: readonly string[];
  readonly level: number;
  /** The section's own text up to the next heading of any level, fences excluded. */
  readonly prose: string;
  /** Fenced blocks up to the next heading of any level. */
  readonly fences: readonly Fence[];
}

const FENCE = /^(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/** Splits a document into sections at every heading (fenced blocks are never headings). */
export function sections(markdown: string): Section[] {
  const out: { path: string[]; level: number; prose: string[]; fences: Fence[] }[] = [
    { path: [], level: 0, prose: [], fences: [] },
  ];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const current = out[out.length - 1];
    if (!current) throw new Error('unreachable');
    const fence = FENCE.exec(line);
    if (fence?.[1]) {
      const close = fence[1];
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !(lines[i] ?? '').startsWith(close); i++)
        body.push(lines[i] ?? '');
      current.fences.push({ lang: fence[2] ?? '', code: body.join('\n'), line: start + 1 });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading?.[1] && heading[2]) {
      const level = heading[1].length;
      const parent = [...out].reverse().find((s) => s.level < level) ?? out[0];
      out.push({
        path: [...(parent?.path ?? []), heading[2]],
        level,
        prose: [],
        fences: [],
      });
      continue;
    }
    current.prose.push(line);
  }
  return out.map((s) => ({
    path: s.path,
    level: s.level,
    prose: s.prose.join('\n'),
    fences: s.fences,
  }));
}

/** The document without its fenced blocks (their lines blanked, so line numbers stay). */
export function withoutFences(markdown: string): string {
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fence = FENCE.exec(lines[i] ?? '');
    if (!fence?.[1]) continue;
    const close = fence[1];
    lines[i] = '';
    for (i++; i < lines.length && !(lines[i] ?? '').startsWith(close); i++) lines[i] = '';
    if (i < lines.length) lines[i] = '';
  }
  return lines.join('\n');
}

/** Inline code spans of prose (single or double backticks), fences excluded. */
export function codeSpans(markdown: string): string[] {
  const text = withoutFences(markdown);
  return [...text.matchAll(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g)].map((m) => (m[2] ?? '').trim());
}

/** Targets of inline links and images, `[text](target)` and `![alt](target "title")`. */
export function linkTargets(markdown: string): string[] {
  const text = withoutFences(markdown).replace(/(`+)[\s\S]*?\1/g, '');
  return [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => m[1] ?? '',
  );
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/**
 * A shell block's commands: lines joined at trailing backslashes, blank lines
 * and whole-line comments dropped. Each is a line a user would paste.
 */
export function shellCommands(code: string): string[] {
  const joined = code.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}
