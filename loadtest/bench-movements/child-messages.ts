// Talking to the benchmark's child processes over their IPC channel.
import type { ChildProcess } from 'node:child_process';

/** The child's next message, or undefined when it exits or `timeoutMs` passes first. */
export function nextMessage<T>(child: ChildProcess, timeoutMs: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const done = (value: T | undefined) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(value);
    };
    const onMessage = (m: unknown) => done(m as T);
    const onExit = () => done(undefined);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
