/**
 * Tiny loopback servers and fakes for the HTTP pipeline tests. Every server binds 127.0.0.1 on a
 * random port and records what it received, so tests assert on what actually went over the wire.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from "node:https";
import type { AddressInfo } from "node:net";
import type { AuthStrategy } from "../../src/auth/types.js";

export interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  n: number,
) => void | Promise<void>;

export interface TestServer {
  url: string;
  origin: string;
  port: number;
  log: Received[];
  server: Server;
  close(): Promise<void>;
}

function listen(
  server: Server,
  log: Received[],
  handler: Handler,
  scheme: "http" | "https",
): Promise<TestServer> {
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        headers[k] = Array.isArray(v) ? v.join(", ") : String(v);
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

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
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

export interface TestProxy {
  url: string;
  port: number;
  /** "CONNECT host:port" for tunnels, "GET http://..." for forwarded plain-http requests */
  seen: string[];
  /** Proxy-Authorization values received (to prove they came from the proxy URL) */
  proxyAuth: string[];
  close(): Promise<void>;
}

/** A forward + CONNECT proxy on loopback that records what it was asked to do. */
export async function startProxy(): Promise<TestProxy> {
  const { connect } = await import("node:net");
  const { request } = await import("node:http");
  const seen: string[] = [];
  const proxyAuth: string[] = [];
  const server = createHttpServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.headers["proxy-authorization"]) proxyAuth.push(String(req.headers["proxy-authorization"]));
    const target = new URL(req.url ?? "");
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: req.method,
        headers,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.on("connect", (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    if (req.headers["proxy-authorization"]) proxyAuth.push(String(req.headers["proxy-authorization"]));
    const [host, port] = (req.url ?? "").split(":");
    const upstream = connect(Number(port), host ?? "127.0.0.1", () => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on("error", () => {
      socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
    });
    socket.on("error", () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    proxyAuth,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function basicAuth(user: string, secret: string): AuthStrategy {
  return {
    kind: "api-token",
    describe: () => `Basic for ${user}`,
    apply: async (r) => {
      r.headers.set("authorization", `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`);
    },
    headerNames: ["authorization"],
    secrets: () => [secret],
  };
}

export function bearerAuth(token: string): AuthStrategy {
  return {
    kind: "pat",
    describe: () => "PAT",
    apply: async (r) => {
      r.headers.set("authorization", `Bearer ${token}`);
    },
    headerNames: ["authorization"],
    secrets: () => [token],
  };
}
