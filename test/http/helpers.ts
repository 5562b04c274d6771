/**
 * Tiny loopback servers and fakes for the HTTP pipeline tests. Every server binds 127.0.0.1 on a
 * random port and records what it received, so tests assert on what actually went over the wire.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from "node:https";
import type { AddressInfo } from "node:net";
import type { AuthStrategy } from "../../src/auth/types.js";

export interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, n: number) => void | Promise<void>;

export interface TestServer {
  url: string;
  origin: string;
  port: number;
  log: Received[];
  server: Server;
  close(): Promise<void>;
}

function listen(server: Server, log: Received[], handler: Handler, scheme: "http" | "https"): Promise<TestServer> {
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(", ") : String(v);
      log.push({ method: req.method ?? "", path: req.url ?? "", headers, body });
      Promise.resolve(handler(req, res, body, log.length)).catch((error) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      const origin = `${scheme}://127.0.0.1:${port}`;
      resolve({
        url: `${origin}/`,
        origin,
        port,
        log,
        server,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

export function startServer(handler: Handler): Promise<TestServer> {
  return listen(createHttpServer(), [], handler, "http");
}

export function startHttpsServer(options: HttpsOptions, handler: Handler): Promise<TestServer> {
  return listen(createHttpsServer(options) as unknown as Server, [], handler, "https");
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** A Basic-auth strategy plus a custom credential header, as a cookie/SSO kind might send. */
export function fakeAuth(
  email = "alice@example.com",
  token = "fake-cloud-api-token-0001",
  extra: { onUnauthorized?: () => Promise<boolean>; customHeader?: string } = {},
): AuthStrategy & { applied: number } {
  const customHeader = extra.customHeader ?? "fake-sso-header-secret-0002";
  const strategy = {
    kind: "api-token" as const,
    applied: 0,
    describe: () => `API token (Basic) for ${email}`,
    async apply(request: { headers: Headers }) {
      strategy.applied++;
      request.headers.set("authorization", `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`);
      request.headers.set("x-sso-session", customHeader);
    },
    headerNames: ["authorization", "x-sso-session"],
    secrets: () => [token, customHeader],
    ...(extra.onUnauthorized ? { onUnauthorized: extra.onUnauthorized } : {}),
  };
  return strategy;
}

/** A clock that only moves when the code under test sleeps. */
export function fakeClock(start = Date.parse("2026-11-23T10:00:00Z")) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    advance(ms: number) {
      now += ms;
    },
  };
}
