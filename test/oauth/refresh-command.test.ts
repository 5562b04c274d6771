// `confl auth refresh` (run() called directly): forces one refresh, persists the rotation, prints no token.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { oauthControls } from "../../sim/oauth.js";
import { loginOAuth } from "../../src/auth/oauth/index.js";
import { run } from "../../src/commands/auth/refresh.js";
import { upsertProfile } from "../../src/config/store.js";
import { AuthError, UsageError } from "../../src/errors.js";
import { PlainFileStore } from "../../src/secrets/plain-file.js";
import { inProcessContext, submitConsent, useSimulator } from "../support/context.js";

const sim = useSimulator();
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  oauthControls(sim).resetCounters();
  env = {
    CONFL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "confl-oauth-refresh-")),
    CONFL_ATLASSIAN_AUTH_URL: sim.origins.auth,
    CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
  };
  const t = inProcessContext(
    { ...env, CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret },
    { openStdin: true },
  );
  const login = loginOAuth(
    { type: "oauth", profileName: "work", browser: false, clientId: sim.credentials.oauth.clientId },
    t.ctx,
  );
  const [, url] = await t.waitForStderr(/^ {2}(http\S+\/authorize\?\S+)$/m);
  t.stdin.write(`${await submitConsent(url as string, "accept")}\n`);
  const result = await login;
  await upsertProfile({ ...result.profile, secretStore: "plaintext" }, env);
  await new PlainFileStore(env).set("work", JSON.stringify(result.secret));
  await upsertProfile(
    {
      name: "basic",
      site: sim.origins.site,
      deployment: "cloud",
      apiBase: `${sim.origins.site}/wiki/`,
      kind: "api-token",
      secretStore: "plaintext",
      email: "a@example.com",
    },
    env,
  );
});

async function stored() {
  return JSON.parse((await new PlainFileStore(env).get("work")) as string) as {
    accessToken: string;
    refreshToken: string;
  };
}

describe("confl auth refresh", () => {
  it("rotates the stored tokens even when they are fresh, and prints only the expiry", async () => {
    const before = await stored();
    const t = inProcessContext(env, { openStdin: true });
    t.ctx.globals.profile = "work";
    const result = await run({}, t.ctx);
    const after = await stored();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(oauthControls(sim).counters.refreshes).toBe(1);
    expect(result.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(t.err()).toContain("Refreshed the OAuth token of profile work");
    for (const v of [before.accessToken, before.refreshToken, after.accessToken, after.refreshToken]) {
      expect(t.err() + t.out()).not.toContain(v);
    }
  });

  it("--json prints the profile, expiry and scopes on stdout", async () => {
    const t = inProcessContext(env, { openStdin: true });
    t.ctx.globals.profile = "work";
    t.ctx.globals.json = true;
    await run({}, t.ctx);
    const printed = JSON.parse(t.out());
    expect(printed).toMatchObject({ profile: "work", kind: "oauth" });
    expect(printed.scopes).toContain("offline_access");
  });

  it("a dead refresh token: exit 4 with 'log in again', and the stored tokens are kept", async () => {
    const before = await stored();
    oauthControls(sim).expireRefreshToken(before.refreshToken);
    const t = inProcessContext(env, { openStdin: true });
    t.ctx.globals.profile = "work";
    const error = await run({}, t.ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(4);
    expect((error as AuthError).hint).toContain("confl auth login --profile work");
    expect(await stored()).toEqual(before);
  });

  it("refuses profiles that are not OAuth", async () => {
    const t = inProcessContext(env, { openStdin: true });
    t.ctx.globals.profile = "basic";
    await expect(run({}, t.ctx)).rejects.toBeInstanceOf(UsageError);
  });
});
