/**
 * Test helper: a local HTTP server standing in for Slack (POST /slack → "ok") and PagerDuty Events v2
 * (POST /pagerduty → 202 JSON; any other path → 404 no_service). It records every accepted body, and can be switched to answer 503 or be
 * stopped and restarted on the same port, to play an endpoint that is down for a while.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedPost {
  path: string;
  body: Record<string, unknown>;
  receivedAt: number;
}

export interface CaptureServer {
  readonly url: string;
  /** Bodies that were accepted (2xx), in arrival order. */
  accepted: CapturedPost[];
  /** How many requests were refused with 503 while failing. */
  refused: number;
  setFailing(failing: boolean): void;
  /** Closes the listening socket (connections are refused) until `start()` reopens it on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  slack(): Array<Record<string, unknown>>;
  pagerDuty(): Array<Record<string, unknown>>;
}

export async function startCaptureServer(): Promise<CaptureServer> {
  let failing = false;
  let server: http.Server | undefined;
  let port = 0;
  const accepted: CapturedPost[] = [];
  const state = { refused: 0 };

  const listen = async () => {
    const created = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (failing) {
          state.refused += 1;
          response.writeHead(503, { 'Content-Type': 'text/plain' }).end('service_unavailable');
          return;
        }
        const path = new URL(request.url ?? '/', 'http://capture').pathname;
        if (path !== '/slack' && path !== '/pagerduty') {
          // What Slack answers for a webhook that does not exist.
          response.writeHead(404, { 'Content-Type': 'text/plain' }).end('no_service');
          return;
        }
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          response.writeHead(400, { 'Content-Type': 'text/plain' }).end('invalid_payload');
          return;
        }
        accepted.push({ path, body, receivedAt: Date.now() });
        if (path === '/pagerduty') {
          response.writeHead(202, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: body.dedup_key }));
        } else {
          response.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        }
      });
    });
    await new Promise<void>((resolve) => created.listen(port, '127.0.0.1', resolve));
    port = (created.address() as AddressInfo).port;
    server = created;
  };
  const shut = async () => {
    const current = server;
    server = undefined;
    if (!current) return;
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    accepted,
    get refused() {
      return state.refused;
    },
    setFailing(value) {
      failing = value;
    },
    stop: shut,
    start: listen,
    close: shut,
    slack: () => accepted.filter((post) => post.path === '/slack').map((post) => post.body),
    pagerDuty: () => accepted.filter((post) => post.path === '/pagerduty').map((post) => post.body),
  };
}
