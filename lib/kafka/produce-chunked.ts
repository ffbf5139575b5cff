import type { Message, Producer, TopicMessages } from 'kafkajs';

// Kafka refuses a record batch above the broker's message.max.bytes (1 MiB by
// default), and kafkajs puts all of one partition's messages in one batch, so
// large sends go out in slices. Slices are sent in order: keys keep their order.
const SLICE_BYTES = 512 * 1024;

function size(m: Message): number {
  const len = (v: Message['value'] | Message['key']) =>
    v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
  let headers = 0;
  for (const [k, v] of Object.entries(m.headers ?? {}))
    headers +=
      k.length +
      (typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : 64);
  return len(m.value) + len(m.key) + headers + 64;
}

export function slices(
  topicMessages: readonly TopicMessages[],
  budget = SLICE_BYTES,
): TopicMessages[][] {
  const out: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let used = 0;
  for (const { topic, messages } of topicMessages) {
    let run: Message[] = [];
    for (const m of messages) {
      const s = size(m);
      if (used + s > budget && used > 0) {
        if (run.length) current.push({ topic, messages: run });
        out.push(current);
        current = [];
        run = [];
        used = 0;
      }
      run.push(m);
      used += s;
    }
    if (run.length) current.push({ topic, messages: run });
  }
  if (current.length) out.push(current);
  return out;
}

/** Sends everything, acknowledged by all in-sync replicas, in slices the broker accepts. */
export async function sendAll(
  producer: Producer,
  topicMessages: readonly TopicMessages[],
): Promise<void> {
  for (const slice of slices(topicMessages))
    await producer.sendBatch({ acks: -1, topicMessages: slice });
}
