// The bug another engineer found: after `confl auth login --type oauth` with the default scopes, the read
// commands failed through the gateway with 401 "scope does not match" (the default covered only the login's
// own checks). Here the app has exactly the README's default list enabled, the login takes the defaults,
// and every read command runs through the gateway, which enforces each operation's scopes.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CLOUD_SCOPES } from "../../src/auth/oauth/scopes.js";
import { confl } from "../commands/helpers.js";
import { recordHints } from "../hints/collect.js";
import { submitConsent, useSimulator } from "../support/context.js";

const CONFL = join(process.cwd(), "dist", "confl.mjs");
const sim = useSimulator();

/** `confl auth login --type oauth --no-browser` with no --scopes: the consent is accepted and the URL pasted. */
function oauthLogin(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const args = ["auth", "login", "--type", "oauth", "--client-id", sim.credentials.oauth.clientId];
  args.push("--no-browser", "--storage", "plaintext", "--insecure-storage");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CONFL, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    let answered = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`login timed out: ${stderr}`));
    }, 30_000);
    child.stdout.resume();
    child.stderr.on("data", async (c: Buffer) => {
      stderr += c.toString();
      const url = /^ {2}(http\S+\/authorize\?\S+)$/m.exec(stderr)?.[1];
      if (url && !answered) {
        answered = true;
        child.stdin.end(`${await submitConsent(url, "accept")}\n`);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      recordHints({ args, stderr });
      resolve({ code, stderr });
    });
  });
}

describe("OAuth default scopes cover every read command", () => {
  it("confl auth login --type oauth (defaults), then confl page view/list/children/tree, confl api api/v2/pages and every other read command work through the gateway", async () => {
    sim.credentials.oauth.enabledScopes = [...DEFAULT_CLOUD_SCOPES];
    const home = mkdtempSync(join(tmpdir(), "confl-oauth-defaults-"));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      NETRC: join(home, "netrc"),
      CONFL_CONFIG_DIR: join(home, "config"),
      CONFL_ATLASSIAN_AUTH_URL: sim.origins.auth,
      CONFL_ATLASSIAN_API_URL: sim.origins.gateway,
      CONFL_OAUTH_CLIENT_SECRET: sim.credentials.oauth.clientSecret,
      NO_COLOR: "1",
    };
    const login = await oauthLogin(env);
    expect(login.code, login.stderr).toBe(0);

    const reads = [
      ["page", "view", "65538"],
      ["page", "view", "65538", "--format", "markdown"],
      ["page", "view", "DOC:Release checklist"],
      ["page", "list", "--space", "DOC"],
      ["page", "children", "65536"],
      ["page", "tree", "65536"],
      ["page", "tree", "--space", "DOC", "--depth", "1"],
      ["page", "versions", "65538"],
      ["page", "diff", "65538"],
      ["space", "list"],
      ["space", "view", "DOC"],
      ["search", "--text", "release"],
      ["attachment", "list", "65538"],
      ["attachment", "download", "65538", "diagram.png", "--out", join(home, "files")],
      ["comment", "list", "65538"],
      ["label", "list", "65538"],
      ["property", "list", "65538"],
      ["property", "get", "65538", "release-meta"],
      ["export", "65538", "--out", join(home, "export"), "--depth", "1"],
      ["api", "api/v2/pages"],
    ];
    sim.clearLog();
    for (const args of reads) {
      const run = await confl(args, env);
      expect(run.code, `confl ${args.join(" ")}: ${run.stderr}`).toBe(0);
      expect(run.stderr).not.toMatch(/scope/i);
    }
    // through the gateway, with the OAuth token, and never refused for a scope
    const gateway = sim.log.filter((e) => e.server === "gateway");
    expect(gateway.length).toBeGreaterThan(reads.length);
    expect(gateway.filter((e) => e.status === 401)).toEqual([]);
  }, 120_000);
});
