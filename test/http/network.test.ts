import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient } from "../../src/http/client.js";
import { RedirectError, TlsError, UnsafeRequestError } from "../../src/http/errors.js";
import { fakeAuth, json, startHttpsServer, startProxy, startServer, type TestServer } from "./helpers.js";
import { createPki, type Pki } from "./pki.js";

let pki: Pki;
let https: TestServer;
const servers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  pki = createPki();
  https = await startHttpsServer(pki.server, (req, res) => json(res, 200, { secure: true, path: req.url }));
  servers.push(https);
}, 30_000);

afterAll(async () => {
  for (const s of servers) await s.close();
});

describe("custom CA", () => {
  it("an unknown CA is a TlsError pointing to --ca-file / CONFL_CA_FILE", async () => {
    const c = createHttpClient({ apiBase: `${https.url}wiki/`, env: {}, maxRetries: 0 });
    const error = await c.request({ path: "rest/api/user/current" }).catch((e) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect(error.problem).toBe("unknown_ca");
    expect(error.hint).toMatch(/--ca-file/);
    expect(error.hint).toMatch(/CONFL_CA_FILE/);
  });

  it("tls.caFile is trusted in addition to the default roots", async () => {
    const c = createHttpClient({ apiBase: `${https.url}wiki/`, env: {}, tls: { caFile: pki.caFile } });
    const res = await c.request<{ secure: boolean }>({ path: "rest/api/user/current" });
    expect(res.data.secure).toBe(true);
  });

  it("CONFL_CA_FILE works the same way", async () => {
    const c = createHttpClient({ apiBase: `${https.url}wiki/`, env: { CONFL_CA_FILE: pki.caFile } });
    expect((await c.request({ path: "x" })).status).toBe(200);
  });

  it("a CA file for another CA still fails (the file is not ignored)", async () => {
    const c = createHttpClient({
      apiBase: `${https.url}wiki/`,
      env: { CONFL_CA_FILE: pki.otherCaFile },
      maxRetries: 0,
    });
    await expect(c.request({ path: "x" })).rejects.toBeInstanceOf(TlsError);
  });

  it("NODE_EXTRA_CA_CERTS stays trusted when a CA file is also given (passing `ca` would drop it)", async () => {
    const c = createHttpClient({
      apiBase: https.url,
      env: { CONFL_CA_FILE: pki.otherCaFile, NODE_EXTRA_CA_CERTS: pki.caFile },
      maxRetries: 0,
    });
    expect((await c.request({ path: "x" })).status).toBe(200);
  });

  it("an expired certificate and a host-name mismatch are told apart", async () => {
    const expired = await startHttpsServer(pki.expired, (_r, res) => json(res, 200, {}));
    const wrong = await startHttpsServer(pki.wrongHost, (_r, res) => json(res, 200, {}));
    servers.push(expired, wrong);
    const e1 = await createHttpClient({
      apiBase: expired.url,
      env: { CONFL_CA_FILE: pki.caFile },
      maxRetries: 0,
    })
      .request({ path: "x" })
      .catch((e) => e);
    expect(e1).toBeInstanceOf(TlsError);
    expect(e1.problem).toBe("expired");
    const e2 = await createHttpClient({
      apiBase: wrong.url,
      env: { CONFL_CA_FILE: pki.caFile },
      maxRetries: 0,
    })
      .request({ path: "x" })
      .catch((e) => e);
    expect(e2).toBeInstanceOf(TlsError);
    expect(e2.problem).toBe("hostname_mismatch");
  });

  it("--insecure skips verification and warns once", async () => {
    const notices: string[] = [];
    const { resetInsecureWarning } = await import("../../src/http/transport.js");
    resetInsecureWarning();
    const c = createHttpClient({
      apiBase: https.url,
      env: {},
      tls: { insecure: true },
      notice: (l) => notices.push(l),
    });
    expect((await c.request({ path: "x" })).status).toBe(200);
    expect((await c.request({ path: "y" })).status).toBe(200);
    expect(notices.filter((n) => /NOT verified/.test(n))).toHaveLength(1);
  });
});

describe("mTLS", () => {
  it("a server requiring a client certificate accepts ours and rejects a client without one", async () => {
    const mtls = await startHttpsServer(
      { ...pki.server, ca: pki.ca, requestCert: true, rejectUnauthorized: true },
      (req, res) => {
        const peer = (req.socket as import("node:tls").TLSSocket).getPeerCertificate();
        json(res, 200, { cn: peer.subject?.CN });
      },
    );
    servers.push(mtls);
    const ok = createHttpClient({
      apiBase: mtls.url,
      env: {},
      tls: { caFile: pki.caFile, clientCert: pki.client.certFile, clientKey: pki.client.keyFile },
    });
    expect((await ok.request<{ cn: string }>({ path: "x" })).data.cn).toBe("cli-user");
    const without = createHttpClient({
      apiBase: mtls.url,
      env: {},
      tls: { caFile: pki.caFile },
      maxRetries: 0,
    });
    const error = await without.request({ path: "x" }).catch((e) => e);
    // TLS 1.3: the refusal arrives as a closed socket after the handshake
    expect(error.code).toMatch(/^http\.(tls|network)/);
    expect(error.hint).toMatch(/client certificate/);
  });
});

describe("proxy from the environment", () => {
  it("HTTPS_PROXY: the proxy sees a CONNECT to the target, with credentials from the proxy URL", async () => {
    const proxy = await startProxy();
    servers.push(proxy);
    const env = {
      HTTPS_PROXY: `http://proxyuser:fake-proxy-password-0004@127.0.0.1:${proxy.port}`,
      CONFL_CA_FILE: pki.caFile,
    };
    const c = createHttpClient({ apiBase: `${https.url}wiki/`, env });
    expect((await c.request({ path: "rest/api/user/current" })).status).toBe(200);
    expect(proxy.seen).toContain(`CONNECT 127.0.0.1:${https.port}`);
    expect(proxy.proxyAuth[0]).toBe(
      `Basic ${Buffer.from("proxyuser:fake-proxy-password-0004").toString("base64")}`,
    );
  });

  it("HTTP_PROXY carries plain-http requests too; NO_PROXY bypasses the proxy", async () => {
    const proxy = await startProxy();
    const target = await startServer((_r, res) => json(res, 200, { direct: true }));
    servers.push(proxy, target);
    const viaProxy = createHttpClient({ apiBase: target.url, env: { http_proxy: proxy.url } });
    await viaProxy.request({ path: "a" });
    // undici tunnels plain http through CONNECT as well
    expect(proxy.seen).toEqual([`CONNECT 127.0.0.1:${target.port}`]);
    const bypass = createHttpClient({
      apiBase: target.url,
      env: { HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1" },
    });
    await bypass.request({ path: "b" });
    expect(proxy.seen).toHaveLength(1);
    expect(target.log.map((r) => r.path)).toEqual(["/a", "/b"]);
  });
});

describe("credentials never travel in clear text", () => {
  it("Basic over plain http to a non-loopback host is refused before any request (not even via a proxy)", async () => {
    const proxy = await startProxy();
    servers.push(proxy);
    const c = createHttpClient({
      apiBase: "http://confluence.example.test/wiki/",
      env: { HTTP_PROXY: proxy.url },
      auth: fakeAuth(),
      maxRetries: 0,
    });
    const error = await c.request({ path: "rest/api/user/current" }).catch((e) => e);
    expect(error).toBeInstanceOf(UnsafeRequestError);
    expect(error.message).toMatch(
      /refusing to send a credential over plain http:\/\/ to confluence\.example\.test/,
    );
    expect(proxy.seen).toEqual([]);
    // the same client may still make anonymous calls, which do reach the proxy (that then fails)
    await c.request({ path: "x", anonymous: true, timeoutMs: 1000 }).catch(() => undefined);
    expect(proxy.seen).toEqual(["CONNECT confluence.example.test:80"]);
  });

  it("plain http to loopback is allowed (local simulators, tunnels)", async () => {
    const target = await startServer((_r, res) => json(res, 200, {}));
    servers.push(target);
    const c = createHttpClient({ apiBase: target.url.replace("127.0.0.1", "localhost"), auth: fakeAuth() });
    expect((await c.request({ path: "x" })).status).toBe(200);
    expect(target.log[0]?.headers.authorization).toMatch(/^Basic /);
  });

  it("an https→http redirect is refused", async () => {
    const plain = await startServer((_r, res) => json(res, 200, { leaked: true }));
    const redirecting = await startHttpsServer(pki.server, (_r, res) => {
      res.writeHead(302, { location: `${plain.origin}/landing` });
      res.end();
    });
    servers.push(plain, redirecting);
    const c = createHttpClient({
      apiBase: redirecting.url,
      env: { CONFL_CA_FILE: pki.caFile },
      auth: fakeAuth(),
    });
    const error = await c.request({ path: "download" }).catch((e) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect(error.message).toMatch(/refusing a redirect from https to http:/);
    expect(plain.log).toEqual([]);
  });
});
