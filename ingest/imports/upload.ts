// A CSV uploaded to POST /imports is streamed to a file in the inbox's
// uploads/ folder, never held in memory, and imported from there like any
// inbox file. The daily job does not look into subfolders, so an upload is
// never picked up twice; the file is removed once its import has ended.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';

export const UPLOADS_FOLDER = 'uploads';

/** Writes the request body to a new file under `inbox/uploads/`; resolves with its path. */
export async function receiveUpload(body: Readable, inbox: string, kind: string): Promise<string> {
  const folder = path.join(inbox, UPLOADS_FOLDER);
  await mkdir(folder, { recursive: true });
  const name = `${kind}-${new Date().toISOString().replaceAll(':', '')}-${randomUUID().slice(0, 8)}.csv`;
  const partial = path.join(folder, `${name}.part`);
  try {
    await pipeline(body, createWriteStream(partial, { flags: 'wx' }));
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  const file = path.join(folder, name);
  await rename(partial, file); // a crash mid-upload leaves only a .part file, never a short .csv
  return file;
}

export const removeUpload = (file: string): Promise<void> => rm(file, { force: true });
