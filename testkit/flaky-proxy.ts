import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of a real server that resets the connection of the requests
 * `drop` picks while `failures` lasts, the way a restarting or overloaded service does;
 * every other request goes through unchanged.
 */
export interface FlakyProxy {
  readonly url: string;
  /** How many more picked requests get their connection reset (Infinity: all of them). */
  failures: number;
  /** How many requests it has reset so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

export async function flakyProxy(
  target: string,
  drop: (req: IncomingMessage) => boolean,
  failures: number,
): Promise<FlakyProxy> {
  const to = new URL(target);
  let dropped = 0;
  const state = { failures };
  const server = createServer((req, res) => {
    if (state.failures > 0 && drop(req)) {
      state.failures--;
      dropped++;
      req.socket.destroy();
      return;
    }
    const upstream = request(
      {
        host: to.hostname,
        port: to.port,
        method: req.method,
        path: to.pathname.replace(/\/$/, '') + (req.url ?? ''),
        headers: { ...req.headers, host: to.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get failures() {
      return state.failures;
    },
    set failures(n: number) {
      state.failures = n;
    },
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
