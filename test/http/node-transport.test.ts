/**
 * The default transport (src/http/node-transport.ts, node:http instead of fetch; issue 14) keeps what
 * the pipeline relied on fetch for: compressed bodies decoded, redirects handed back unfollowed, IPv6
 * loopback, streamed uploads, the timeout covering a stalled body, no user:password@ sent.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { createHttpClient } from "../../src/http/client.js";
import { TimeoutError } from "../../src/http/errors.js";
import { HttpHeaders } from "../../src/http/headers.js";
import { nodeFetch } from "../../src/http/node-transport.js";
import { createTransport } from "../../src/http/transport.js";
import { json, startServer, type TestServer } from "./helpers.js";

const servers: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});
async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  servers.push(s);
  return s;
}

describe("node:http transport", () => {
  it("is the transport when no proxy, CA file, mTLS or --insecure is configured", async () => {
    const t = await createTransport({ env: {} });
    expect(t.describe).toBe("node:http");
    expect(t.fetch).toBe(nodeFetch);
  });

  it("decodes a gzip body, as fetch did, and asks for it", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(gzipSync(JSON.stringify({ zipped: true })));
    });
    const c = createHttpClient({ apiBase: s.url, env: {} });
    const res = await c.request<{ zipped: boolean }>({ path: "x" });
    expect(res.data).toEqual({ zipped: true });
    expect(s.log[0]?.headers["accept-encoding"]).toMatch(/gzip/);
  });

  it("hands a redirect back without following it", async () => {
    const s = await server((req, res) => {
      if (req.url === "/from") {
        res.writeHead(302, { location: "/to" });
        res.end();
      } else json(res, 200, { at: req.url });
    });
    const res = await nodeFetch(`${s.url}from`, { method: "GET", headers: new HttpHeaders() });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/to");
    expect(s.log.map((r) => r.path)).toEqual(["/from"]);
  });

  it("reaches an IPv6 loopback URL", async (ctx) => {
    const s = createServer((_req, res) => json(res, 200, { v6: true }));
    const listening = await new Promise<boolean>((resolve) => {
      s.once("error", () => resolve(false));
      s.listen(0, "::1", () => resolve(true));
    });
    if (!listening) ctx.skip();
    servers.push({ close: () => new Promise<void>((r) => s.close(() => r())) });
    const port = (s.address() as AddressInfo).port;
    const c = createHttpClient({ apiBase: `http://[::1]:${port}/wiki/`, env: {} });
    expect((await c.request({ path: "x" })).data).toEqual({ v6: true });
  });

  it("streams an upload and sends every byte", async () => {
    const s = await server((_req, res, body) => json(res, 200, { bytes: Buffer.byteLength(body) }));
    const chunk = new Uint8Array(64 * 1024).fill(97);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 64) controller.close();
        else {
          sent++;
          controller.enqueue(chunk);
        }
      },
    });
    const c = createHttpClient({ apiBase: s.url, env: {} });
    const res = await c.request<{ bytes: number }>({ method: "POST", path: "up", body: stream });
    expect(res.data.bytes).toBe(64 * 64 * 1024);
  });

  it("times out a body that stalls after the headers", async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"partial":');
    });
    const c = createHttpClient({ apiBase: s.url, env: {}, timeoutMs: 300, maxRetries: 0 });
    await expect(c.request({ path: "x" })).rejects.toBeInstanceOf(TimeoutError);
  });

  it("refuses a URL with user:password@ instead of turning it into an Authorization header", async () => {
    const s = await server((_req, res) => json(res, 200, {}));
    const url = new URL(s.url);
    url.username = "user";
    url.password = "secret";
    await expect(nodeFetch(url.href, { method: "GET", headers: new HttpHeaders() })).rejects.toThrow(
      /user name or password/,
    );
    expect(s.log).toEqual([]);
  });
});
