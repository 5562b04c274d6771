// The full browser flow in a REAL headless Chromium (Debian's chromium, installed by .ci/run): confl's
// loopback receiver, the simulator's consent page, the click on Accept, the redirect back to 127.0.0.1.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { oauthControls } from "../../sim/oauth.js";
import { loginOAuth } from "../../src/auth/oauth/index.js";
import { AuthError } from "../../src/errors.js";
import { inProcessContext, useSimulator } from "../support/context.js";

const CHROMIUM = "/usr/bin/chromium";

const sim = useSimulator({ settings: { oauthAnyLoopbackPort: true } });
let browser: BrowserContext;
let profileDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium`);
  // confl's receiver takes a random port here (callbackPort 0): RFC 8252's any-port rule, not Atlassian's
  const { chromium } = await import("playwright-core");
  profileDir = mkdtempSync(join(tmpdir(), "confl-chromium-"));
  // A new, empty user-data-dir: no state from any earlier run or from a person's own browser.
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

function env(): NodeJS.ProcessEnv {
  return {
    CONFL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "confl-oauth-browser-")),
    CONFL_ATLASSIAN_AUTH_URL: sim.origins.auth,
    CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
    CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret,
  };
}

/** A browser "opener" that drives Chromium like a person: open the URL, read the page, click a button. */
function chromiumOpener(
  button: "#accept" | "#deny",
  seen: { consentTitle?: string; finalText?: string; finalUrl?: string },
) {
  return async (url: string) => {
    const page: Page = await browser.newPage();
    void (async () => {
      try {
        await page.goto(url);
        seen.consentTitle = await page.title();
        await Promise.all([page.waitForURL(/127\.0\.0\.1:\d+\/callback/), page.click(button)]);
        seen.finalUrl = page.url();
        seen.finalText = (await page.textContent("body")) ?? "";
      } finally {
        await page.close();
      }
    })();
  };
}

describe("browser flow in headless Chromium", () => {
  it("Accept on the consent page lands on confl's loopback callback and completes the login", async () => {
    const t = inProcessContext(env(), { openStdin: true });
    const seen: { consentTitle?: string; finalText?: string; finalUrl?: string } = {};
    const result = await loginOAuth(
      {
        type: "oauth",
        profileName: "work",
        browser: true,
        clientId: sim.credentials.oauth.clientId,
        callbackPort: 0,
        callbackTimeoutMs: 30_000,
        openBrowser: chromiumOpener("#accept", seen),
      },
      t.ctx,
    );
    expect(result.profile.cloudId).toBe(sim.cloudId);
    expect(result.secret.kind).toBe("oauth");
    expect(seen.consentTitle).toContain("authorize app");
    // The URL was printed as well as opened (a browser may fail to open without error).
    expect(t.err()).toMatch(/^ {2}http:\/\/127\.0\.0\.1:\d+\/authorize\?/m);
    expect(oauthControls(sim).counters.codeExchanges).toBeGreaterThanOrEqual(1);
    // give the page a moment to render the close-this-tab page the receiver sent
    for (let i = 0; i < 50 && seen.finalText === undefined; i++) await new Promise((r) => setTimeout(r, 100));
    expect(seen.finalText).toContain("You can close this tab");
    expect(seen.finalUrl).not.toContain(result.secret.accessToken);
  });

  it("Deny in the browser ends the login with access_denied", async () => {
    const t = inProcessContext(env(), { openStdin: true });
    const error = await loginOAuth(
      {
        type: "oauth",
        profileName: "work",
        browser: true,
        clientId: sim.credentials.oauth.clientId,
        callbackPort: 0,
        callbackTimeoutMs: 30_000,
        openBrowser: chromiumOpener("#deny", {}),
      },
      t.ctx,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe("oauth.access_denied");
  });

  it("gives up after the callback timeout when nobody answers", async () => {
    const t = inProcessContext(env(), { openStdin: true });
    const error = await loginOAuth(
      {
        type: "oauth",
        profileName: "work",
        browser: true,
        clientId: sim.credentials.oauth.clientId,
        callbackPort: 0,
        callbackTimeoutMs: 200,
        openBrowser: async () => {},
      },
      t.ctx,
    ).catch((e: unknown) => e);
    expect((error as AuthError).code).toBe("oauth.callback_timeout");
    expect((error as AuthError).hint).toContain("--no-browser");
  });
});
