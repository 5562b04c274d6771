/**
 * How a session's client gets its TLS settings: the profile's stored `tls`, CONFL_CA_FILE, and the
 * command's flags (--ca-file, --insecure), merged field by field with flag → env → profile precedence,
 * against loopback TLS servers signed by a throw-away CA. Also: the --insecure warning goes through the
 * context's streams, never straight to process.stderr.
 */
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { clientForSession } from "../../src/auth/session.js";
import type { Profile } from "../../src/config/types.js";
import { type Context, createContext } from "../../src/context.js";
import { createHttpClient } from "../../src/http/client.js";
import { TlsError } from "../../src/http/errors.js";
import { effectiveTlsSettings } from "../../src/http/transport.js";
import { createIOStreams } from "../../src/io/streams.js";
import { bearerAuth, json, startHttpsServer, type TestServer } from "./helpers.js";
import { createPki, type Pki } from "./pki.js";

let pki: Pki;
let https: TestServer;
let mtls: TestServer;

beforeAll(async () => {
  pki = createPki();
  https = await startHttpsServer(pki.server, (_req, res) => json(res, 200, { ok: true }));
  mtls = await startHttpsServer(
    { ...pki.server, ca: pki.ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as import("node:tls").TLSSocket).getPeerCertificate();
      json(res, 200, { cn: peer.subject?.CN ?? null });
    },
  );
}, 30_000);

afterAll(async () => {
  await https?.close();
  await mtls?.close();
});

function makeCtx(env: NodeJS.ProcessEnv = {}, stderrTTY = false) {
  const stdout = new PassThrough();
  const stderr = new PassThrough() as PassThrough & { isTTY?: boolean };
  if (stderrTTY) stderr.isTTY = true;
  const err: Buffer[] = [];
  stderr.on("data", (c: Buffer) => err.push(c));
  const io = createIOStreams({ stdout, stderr, stdin: new PassThrough(), env: {} });
  const ctx: Context = createContext({
    io,
    env,
    globals: { json: false, debug: false, color: false, input: false },
    debug: () => {},
  });
  return { ctx, err: () => Buffer.concat(err).toString("utf8") };
}

function profile(server: TestServer, tls: Profile["tls"]): Profile {
  return {
    name: "work",
    site: server.origin,
    deployment: "dc",
    apiBase: server.url,
    kind: "pat",
    secretStore: "none",
    ...(tls ? { tls } : {}),
  };
}

const strategy = bearerAuth("fake-dc-pat-0201");

describe("TLS settings precedence: flag → env → profile, field by field", () => {
  it("--insecure keeps the profile's mTLS client certificate (the server still sees it)", async () => {
    const { ctx } = makeCtx();
    const p = profile(mtls, { clientCert: pki.client.certFile, clientKey: pki.client.keyFile });
    // no CA file: only --insecure lets the handshake through, and only the client cert satisfies mTLS
    const client = clientForSession(
      ctx,
      { profile: p, strategy },
      {
        tls: { insecure: true },
        maxRetries: 0,
      },
    );
    const res = await client.request<{ cn: string }>({ path: "rest/api/user/current" });
    expect(res.data.cn).toBe("cli-user");
  });

  it("--ca-file keeps the profile's mTLS client certificate too", async () => {
    const { ctx } = makeCtx();
    const p = profile(mtls, {
      caFile: pki.otherCaFile,
      clientCert: pki.client.certFile,
      clientKey: pki.client.keyFile,
    });
    const client = clientForSession(
      ctx,
      { profile: p, strategy },
      {
        tls: { caFile: pki.caFile },
        maxRetries: 0,
      },
    );
    expect((await client.request<{ cn: string }>({ path: "x" })).data.cn).toBe("cli-user");
  });

  it("CONFL_CA_FILE beats the profile's stored tls.caFile", async () => {
    const { ctx } = makeCtx({ CONFL_CA_FILE: pki.caFile });
    const p = profile(https, { caFile: pki.otherCaFile });
    const client = clientForSession(ctx, { profile: p, strategy }, { maxRetries: 0 });
    expect((await client.request({ path: "x" })).status).toBe(200);
  });

  it("--ca-file beats CONFL_CA_FILE and the profile (a wrong flag is not rescued by a right env)", async () => {
    const right = makeCtx({ CONFL_CA_FILE: pki.otherCaFile });
    const p = profile(https, { caFile: pki.otherCaFile });
    const ok = clientForSession(right.ctx, { profile: p, strategy }, { tls: { caFile: pki.caFile } });
    expect((await ok.request({ path: "x" })).status).toBe(200);

    const wrong = makeCtx({ CONFL_CA_FILE: pki.caFile });
    const pGood = profile(https, { caFile: pki.caFile });
    const bad = clientForSession(
      wrong.ctx,
      { profile: pGood, strategy },
      { tls: { caFile: pki.otherCaFile }, maxRetries: 0 },
    );
    await expect(bad.request({ path: "x" })).rejects.toBeInstanceOf(TlsError);
  });

  it("the profile's tls.caFile still applies when neither flag nor env names one", async () => {
    const { ctx } = makeCtx({});
    const client = clientForSession(ctx, { profile: profile(https, { caFile: pki.caFile }), strategy });
    expect((await client.request({ path: "x" })).status).toBe(200);
  });

  it("effectiveTlsSettings merges field by field", () => {
    expect(
      effectiveTlsSettings(
        { caFile: "/profile.pem", clientCert: "/c.pem", clientKey: "/k.pem" },
        { CONFL_CA_FILE: "/env.pem" },
        { insecure: true },
      ),
    ).toEqual({ caFile: "/env.pem", clientCert: "/c.pem", clientKey: "/k.pem", insecure: true });
    expect(
      effectiveTlsSettings(
        { caFile: "/profile.pem" },
        { CONFL_CA_FILE: "/env.pem" },
        { caFile: "/flag.pem" },
      ),
    ).toEqual({ caFile: "/flag.pem" });
    // an empty CONFL_CA_FILE is unset, not a path
    expect(effectiveTlsSettings({ caFile: "/profile.pem" }, { CONFL_CA_FILE: "" }, {})).toEqual({
      caFile: "/profile.pem",
    });
    expect(effectiveTlsSettings(undefined, {}, undefined)).toEqual({});
  });
});

describe("the --insecure warning goes through the context's streams", () => {
  it("a session client warns on ctx stderr (even when it is not a TTY), once, never on process.stderr", async () => {
    const spy = vi.spyOn(process.stderr, "write");
    try {
      const { ctx, err } = makeCtx();
      const client = clientForSession(ctx, { profile: profile(https, { insecure: true }), strategy });
      expect((await client.request({ path: "x" })).status).toBe(200);
      expect((await client.request({ path: "y" })).status).toBe(200);
      // a second client in the same command run does not repeat it
      const again = clientForSession(ctx, { profile: profile(https, { insecure: true }), strategy });
      expect((await again.request({ path: "z" })).status).toBe(200);
      const warnings = err()
        .split("\n")
        .filter((l) => /NOT verified/.test(l));
      expect(warnings).toEqual([
        "warning: --insecure: TLS certificates are NOT verified; anyone on the network path can read your credentials",
      ]);
      expect(spy.mock.calls.some((call) => String(call[0]).includes("NOT verified"))).toBe(false);
    } finally {
      spy.mockRestore();
    }
  });

  it("createHttpClient sends it to the warn sink; with no sink it is not written to process.stderr", async () => {
    const spy = vi.spyOn(process.stderr, "write");
    try {
      const warnings: string[] = [];
      const c = createHttpClient({
        apiBase: https.url,
        env: {},
        tls: { insecure: true },
        warn: (l) => warnings.push(l),
      });
      expect((await c.request({ path: "x" })).status).toBe(200);
      expect(warnings).toHaveLength(1);
      const silent = createHttpClient({ apiBase: https.url, env: {}, tls: { insecure: true } });
      expect((await silent.request({ path: "x" })).status).toBe(200);
      expect(spy.mock.calls.some((call) => String(call[0]).includes("NOT verified"))).toBe(false);
    } finally {
      spy.mockRestore();
    }
  });
});
