/**
 * Interactive `auth login` through the REAL prompts (@clack/prompts) on fake terminal streams: keys are
 * typed into a TTY-flagged stdin and the screen (stderr) is read back. Pins what a person sees: the
 * detection, every kind with its one-line explanation, a masked secret, then the verification.
 */
import { PassThrough } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { KIND_EXPLANATIONS } from "../../src/auth/kinds/index.js";
import { run as login } from "../../src/commands/auth/login.js";
import { type Context, createContext } from "../../src/context.js";
import { createIOStreams } from "../../src/io/streams.js";
import { useSimulator } from "../support/context.js";
import { simEnv } from "./helpers.js";

const sim = useSimulator();
beforeEach(() => {
  sim.reset();
  sim.clearLog();
});

interface Terminal {
  ctx: Context;
  screen(): string;
  /** types `keys` once `prompt` is on the screen (after everything seen so far) */
  answer(prompt: string, keys: string): Promise<void>;
}

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

function terminal(env: NodeJS.ProcessEnv): Terminal {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 200, rows: 50 });
  const stdout = new PassThrough();
  let screen = "";
  let consumed = 0;
  stderr.on("data", (c) => {
    screen += String(c);
  });
  stdout.resume();
  const io = createIOStreams({ stdin, stdout, stderr, env: {} });
  const ctx: Context = createContext({
    io,
    env,
    globals: { json: false, debug: false, color: false, input: true },
    debug() {},
  });
  return {
    ctx,
    screen: () => screen.replace(ANSI, ""),
    answer(prompt, keys) {
      // waits for the output that shows the prompt (an event, not a poll); gives up after 5 s
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          const at = screen.replace(ANSI, "").indexOf(prompt, consumed);
          if (at < 0) return;
          stderr.off("data", check);
          clearTimeout(timer);
          consumed = at + prompt.length;
          // one key at a time, as a terminal in raw mode delivers them (after this output event)
          queueMicrotask(() => {
            for (const key of keys) stdin.write(key);
            resolve();
          });
        };
        const timer = setTimeout(() => {
          stderr.off("data", check);
          reject(new Error(`prompt "${prompt}" never appeared; screen:\n${screen.replace(ANSI, "")}`));
        }, 5_000);
        stderr.on("data", check);
        check();
      });
    },
  };
}

describe("interactive auth login on a terminal", () => {
  it("URL → detection → every kind explained → masked secret → verified", async () => {
    const env = simEnv(sim);
    const t = terminal(env);
    const done = login({ insecureStorage: true }, t.ctx);
    await t.answer("Confluence URL", `${sim.origins.dc}/display/DOC/Home\r`);
    // the initial choice for a DC site without a username is a PAT: Enter takes it
    await t.answer("How do you want to authenticate?", "\r");
    await t.answer("Personal access token", `${sim.credentials.dc.pat}\r`);
    const result = await done;

    expect(result.profile).toMatchObject({ kind: "pat", deployment: "dc" });
    expect(result.identity?.username).toBe("grace");
    const screen = t.screen();
    const detected = screen.indexOf("Detected Confluence Data Center");
    const kinds = screen.indexOf("How do you want to authenticate?");
    expect(detected).toBeGreaterThan(screen.indexOf("Confluence URL"));
    expect(kinds).toBeGreaterThan(detected);
    // every Data Center kind is on screen with its explanation, not only the focused one
    for (const kind of ["pat", "password", "cookie", "oauth", "client-credentials", "none"] as const) {
      expect(screen).toContain(KIND_EXPLANATIONS[kind]);
    }
    expect(screen).not.toContain(KIND_EXPLANATIONS["scoped-token"]);
    // the secret is masked while typed and never echoed
    expect(screen).toContain("•".repeat(8));
    expect(screen).not.toContain(sim.credentials.dc.pat);
    expect(screen).toMatch(/✓ Logged in to .* as Grace Hopper/);
    // verified with the secret that was typed
    expect(sim.log.some((e) => e.headers.authorization === `Bearer ${sim.credentials.dc.pat}`)).toBe(true);
  });

  it("on Cloud: the email is asked, and moving down the kind list picks another kind", async () => {
    const env = simEnv(sim);
    const t = terminal(env);
    const done = login({ insecureStorage: true }, t.ctx);
    await t.answer("Confluence URL", `${sim.origins.site}/wiki/spaces/DOC\r`);
    // Cloud order: api-token, scoped-token, ...; the initial choice is api-token, one down is scoped-token
    await t.answer("How do you want to authenticate?", "\u001b[B\r");
    await t.answer("Email of your Atlassian account", `${sim.credentials.cloud.email}\r`);
    await t.answer("API token", `${sim.credentials.cloud.scopedToken}\r`);
    const result = await done;
    expect(result.profile.kind).toBe("scoped-token");
    expect(result.profile.apiBase).toBe(`${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/`);
    const screen = t.screen();
    for (const kind of ["api-token", "scoped-token", "oauth", "client-credentials", "none"] as const) {
      expect(screen).toContain(KIND_EXPLANATIONS[kind]);
    }
    expect(screen).toContain("Detected Confluence Cloud");
    expect(screen).not.toContain(sim.credentials.cloud.scopedToken);
  });
});

describe("interactive auth login: what each prompt accepts and offers", () => {
  it("confl auth login on Cloud: an email without its @ is refused at the prompt, and the corrected one is used", async () => {
    const env = simEnv(sim);
    const t = terminal(env);
    const done = login({ insecureStorage: true }, t.ctx);
    await t.answer("Confluence URL", `${sim.origins.site}\r`);
    await t.answer("How do you want to authenticate?", "\r");
    await t.answer("Email of your Atlassian account", "ada\r");
    await t.answer("an email address, like me@acme.com", "@example.com\r");
    await t.answer("API token", `${sim.credentials.cloud.apiToken}\r`);
    const result = await done;
    expect(result.profile.email).toBe(sim.credentials.cloud.email);
    expect(t.screen()).toMatch(/✓ Logged in to .* as Ada Lovelace/);
  });

  it("confl auth login on Data Center offers client-credentials, asks the client ID and secret, and the success line names the user", async () => {
    const env = simEnv(sim);
    const t = terminal(env);
    const done = login({ insecureStorage: true }, t.ctx);
    await t.answer("Confluence URL", `${sim.origins.dc}\r`);
    // pat, password, cookie, oauth, client-credentials
    await t.answer("How do you want to authenticate?", "\u001b[B\u001b[B\u001b[B\u001b[B\r");
    await t.answer("OAuth client ID", `${sim.credentials.oauth.clientId}\r`);
    await t.answer("OAuth client secret", `${sim.credentials.oauth.clientSecret}\r`);
    const result = await done;
    expect(result.profile).toMatchObject({ kind: "client-credentials", deployment: "dc" });
    expect(t.screen()).toContain(KIND_EXPLANATIONS["client-credentials"]);
    expect(t.screen()).toMatch(/✓ Logged in to .* as \S+/);
    expect(t.screen()).not.toContain(sim.credentials.oauth.clientSecret);
  });
});
