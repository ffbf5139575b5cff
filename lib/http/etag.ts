import type { Request, Response } from 'express';

/**
 * Sets the validators and answers 304 when `If-None-Match` names this ETag
 * (weak comparison, lists, `*`: RFC 9110 13.1.2). `tag` is the opaque tag with
 * its quotes, e.g. `"m3"`; it is sent weak (`W/"m3"`). Not `req.fresh`: it
 * ignores `If-None-Match` when the request says `Cache-Control: no-cache`,
 * which fetch() adds to every conditional request. A bare `end()` bypasses the
 * response validator, which only hooks `res.json`.
 */
export function notModified(req: Request, res: Response, tag: string): boolean {
  const etag = `W/${tag}`;
  res.set({ ETag: etag, 'Cache-Control': 'no-cache' });
  const header = req.get('If-None-Match');
  if (header === undefined) return false;
  const held = header.trim() === '*' ? [tag] : (header.match(/"[^"]*"/g) ?? []);
  if (!held.includes(tag)) return false;
  res.status(304).end();
  return true;
}
