// A Data Center behind a private CA: the refresh goes through the same transport as API calls, so the
// profile's CA file is honoured, and without it the error says "certificate", not "try again later".
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRefreshingStrategy, type OAuthSecret } from "../../src/auth/oauth/strategy.js";
import { OAuthTransientError } from "../../src/auth/oauth/token-endpoint.js";
import type { Profile } from "../../src/config/types.js";
import { TlsError } from "../../src/http/errors.js";
import type { SecretStore } from "../../src/secrets/types.js";
import { createPki, type Pki } from "../http/pki.js";
import { type OAuthHarness, startOAuthHarness } from "./oauth-harness.js";

let h: OAuthHarness;
let pki: Pki;
let server: Server;
let dcBase: string;

beforeAll(async () => {
  h = await startOAuthHarness();
  pki = createPki();
  server = createServer({ cert: pki.server.cert, key: pki.server.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", `https://${req.headers.host}`);
      if (!(await h.routes.dc(req, res, url, Buffer.concat(chunks)))) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  dcBase = `https://127.0.0.1:${(server.address() as AddressInfo).port}/confluence`;
}, 60_000);

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await h.stop();
});

async function dcRefreshToken(): Promise<string> {
  const form = new URLSearchParams({
    client_id: "fake-oauth-client-id-0001",
    scope: "WRITE",
    redirect_uri: "http://127.0.0.1:8976/callback",
    state: "s-0001",
    response_type: "code",
    decision: "accept",
  });
  const answer = await fetch(`${h.dcBase}/rest/oauth2/latest/authorize`, {
    method: "POST",
    body: form,
    redirect: "manual",
  });
  const code = new URL(answer.headers.get("location") as string).searchParams.get("code") as string;
  const response = await fetch(`${h.dcBase}/rest/oauth2/latest/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: "fake-oauth-client-id-0001",
      client_secret: "fake-oauth-client-secret-0001",
      code,
      redirect_uri: "http://127.0.0.1:8976/callback",
    }),
  });
  return ((await response.json()) as { refresh_token: string }).refresh_token;
}

function setup(tls: Profile["tls"]) {
  const values = new Map<string, string>();
  const store: SecretStore = {
    kind: "plaintext",
    get: async (k) => values.get(k),
    set: async (k, v) => void values.set(k, v),
    delete: async (k) => values.delete(k),
  };
  const profile: Profile = {
    name: "dc",
    site: dcBase,
    deployment: "dc",
    apiBase: `${dcBase}/`,
    kind: "oauth",
    secretStore: "plaintext",
    oauth: { clientId: "fake-oauth-client-id-0001" },
    ...(tls ? { tls } : {}),
  };
  return { store, values, profile };
}

describe("OAuth refresh behind a private CA", () => {
  it("fails with a certificate error (not a transient one) without the CA, and keeps the stored secret", async () => {
    const { store, values, profile } = setup(undefined);
    const secret: OAuthSecret = {
      kind: "oauth",
      accessToken: "fake-dc-access-0001",
      refreshToken: await dcRefreshToken(),
      clientSecret: "fake-oauth-client-secret-0001",
      expiresAt: Date.now() - 1,
    };
    values.set("dc", JSON.stringify(secret));
    const env = { CONFL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "confl-oauth-tls-")) };
    const strategy = createRefreshingStrategy({ profile, secret, store, env });
    const error = await strategy.refresh().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect(error).not.toBeInstanceOf(OAuthTransientError);
    expect(JSON.parse(values.get("dc") as string)).toEqual(secret);
  });

  it("refreshes with the profile's CA file", async () => {
    const { store, values, profile } = setup({ caFile: pki.caFile });
    const secret: OAuthSecret = {
      kind: "oauth",
      accessToken: "fake-dc-access-0002",
      refreshToken: await dcRefreshToken(),
      clientSecret: "fake-oauth-client-secret-0001",
      expiresAt: Date.now() - 1,
    };
    values.set("dc", JSON.stringify(secret));
    const env = { CONFL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "confl-oauth-tls-")) };
    const strategy = createRefreshingStrategy({ profile, secret, store, env });
    const next = await strategy.refresh();
    expect(next.accessToken).toMatch(/^sim-dc-oauth-access-/);
    expect(h.grants.get(next.accessToken as string)?.kind).toBe("dc-oauth");
  });
});
