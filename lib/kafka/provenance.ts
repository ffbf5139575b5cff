/**
 * Where an event entered stockflow, carried in a header of every validated
 * message: the same event sent twice downstream of that point (an ingest that
 * crashed after producing, before committing) has the same source, which is how
 * the ClickHouse sink recognises it.
 */
export const SOURCE_HEADER = 'stockflow.source';

export function kafkaSource(topic: string, partition: number, offset: string): string {
  return `kafka:${topic}:${partition}:${offset}`;
}

export function httpSource(requestId: string, index: number): string {
  return `http:${requestId}:${index}`;
}

/** A row of an imported file: the file's content and the line decide it, so a re-import repeats it. */
export function fileSource(sha256: string, line: number): string {
  return `file:${sha256}:${line}`;
}
