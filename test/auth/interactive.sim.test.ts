/**
 * Interactive `auth login` through the REAL prompts (@clack/prompts) on fake terminal streams: keys are
 * typed into a TTY-flagged stdin and the screen (stderr) is read back. Pins what a person sees: the
 * detection, every kind with its one-line explanation, a masked secret, then the verification.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { KIND_EXPLANATIONS } from "../../src/auth/kinds/index.js";
import { run as login } from "../../src/commands/auth/login.js";
import { runJiraLogin } from "../../src/commands/auth/login-jira.js";
import { profileNameForSite } from "../../src/config/profile-name.js";
import { type Context, createContext } from "../../src/context.js";
import { createIOStreams } from "../../src/io/streams.js";
import { inProcessContext, useSimulator } from "../support/context.js";
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

describe("interactive auth login --product jira (Data Center) on a terminal", () => {
  /** A Data Center Confluence profile to add Jira to, logged in without prompts. */
  async function dcProfile(env: NodeJS.ProcessEnv): Promise<void> {
    const quiet = terminal(env);
    await login({ site: sim.origins.dc, type: "pat", withToken: true, insecureStorage: true }, quiet.ctx, {
      readStdin: async () => sim.credentials.dc.pat,
    });
  }
  const noStdin = async (): Promise<string> => {
    throw new Error("an interactive login must not read standard input");
  };

  it("asks Jira's URL, offers pat and password with their explanations, masks the PAT, verifies it on Jira", async () => {
    const env = simEnv(sim);
    await dcProfile(env);
    sim.clearLog();
    const t = terminal(env);
    const done = runJiraLogin({ insecureStorage: true }, t.ctx, noStdin);
    await t.answer("Jira URL", `${sim.origins.jiraDc}/browse/DOC-1\r`);
    await t.answer("How do you want to authenticate?", "\r");
    await t.answer("Jira personal access token", `${sim.credentials.jiraDc.pat}\r`);
    const result = await done;
    expect(result.jira).toMatchObject({ site: sim.origins.jiraDc, kind: "pat" });
    expect(result.jira.identity?.username).toBe(sim.users.dc.username);
    const screen = t.screen();
    expect(screen).toContain("Jira's own, a Confluence PAT does not work");
    expect(screen).toContain("after a few failures Jira asks for a CAPTCHA");
    expect(screen).toContain("•".repeat(8));
    expect(screen).not.toContain(sim.credentials.jiraDc.pat);
    expect(screen).toMatch(/✓ Jira at .* added to profile /);
    const jira = sim.log.filter((e) => e.server === "jiraDc");
    expect(jira.map((e) => e.headers.authorization)).toEqual([`Bearer ${sim.credentials.jiraDc.pat}`]);
  });

  it("one down is username and password: the username is asked, then the masked password (Basic on Jira)", async () => {
    const env = simEnv(sim);
    await dcProfile(env);
    sim.clearLog();
    const t = terminal(env);
    const done = runJiraLogin({ insecureStorage: true, site: sim.origins.jiraDc }, t.ctx, noStdin);
    await t.answer("How do you want to authenticate?", "\u001b[B\r");
    await t.answer("Jira username", `${sim.credentials.jiraDc.username}\r`);
    await t.answer("Jira password", `${sim.credentials.jiraDc.password}\r`);
    const result = await done;
    expect(result.jira).toMatchObject({ kind: "password", username: sim.credentials.jiraDc.username });
    expect(t.screen()).not.toContain(sim.credentials.jiraDc.password);
    expect(t.screen()).not.toContain("Jira URL"); // --site was given: not asked
    const basic = Buffer.from(
      `${sim.credentials.jiraDc.username}:${sim.credentials.jiraDc.password}`,
    ).toString("base64");
    expect(sim.log.filter((e) => e.server === "jiraDc").map((e) => e.headers.authorization)).toEqual([
      `Basic ${basic}`,
    ]);
  });
});
describe("interactive auth login: the profile-name question (real prompts)", () => {
  it("confl auth login with a profile already saved: asks the profile name (the site's host offered) and writes the one typed", async () => {
    const env = simEnv(sim);
    // a first profile, for the Data Center site, saved without a terminal
    await login(
      { site: sim.origins.dc, type: "pat", withToken: true, insecureStorage: true },
      inProcessContext(env, { stdin: sim.credentials.dc.pat }).ctx,
    );
    const t = terminal(env);
    const done = login({ insecureStorage: true }, t.ctx);
    await t.answer("Confluence URL", `${sim.origins.site}\r`);
    await t.answer("How do you want to authenticate?", "\r");
    await t.answer("Email of your Atlassian account", `${sim.credentials.cloud.email}\r`);
    await t.answer("API token", `${sim.credentials.cloud.apiToken}\r`);
    // the question, with the site's own name filled in: erase it and type another
    await t.answer("Profile name", `${"\u007f".repeat(80)}cloud-work\r`);
    const result = await done;
    const question = t.screen().slice(t.screen().indexOf("Profile name"));
    expect(question).toContain(profileNameForSite(sim.origins.site));
    expect(result.profile.name).toBe("cloud-work");
    const config = JSON.parse(readFileSync(join(env.CONFL_CONFIG_DIR as string, "config.json"), "utf8"));
    expect(Object.keys(config.profiles).sort()).toContain("cloud-work");
    expect(config.profiles["cloud-work"].site).toBe(result.profile.site);
    expect(t.screen()).toMatch(/profile cloud-work, api-token/);
  });
});

describe.runIf(process.platform === "linux")(
  "interactive auth login without an OS keychain (real prompts)",
  () => {
    it("confl auth login over SSH (no D-Bus): offers the encrypted file, asks the new passphrase twice, and keeps the secret encrypted", async () => {
      const env = simEnv(sim);
      delete env.DBUS_SESSION_BUS_ADDRESS;
      const t = terminal(env);
      const done = login({}, t.ctx);
      await t.answer("Confluence URL", `${sim.origins.dc}\r`);
      await t.answer("How do you want to authenticate?", "\r");
      await t.answer("Personal access token", `${sim.credentials.dc.pat}\r`);
      // the first choice is the encrypted file: Enter takes it
      await t.answer("Where should confl keep the secret?", "\r");
      await t.answer("New passphrase to encrypt", "fake-pass-tty-1\r");
      await t.answer("Repeat the passphrase", "fake-pass-tty-1\r");
      const result = await done;
      expect(result.storage).toBe("encrypted-file");
      const screen = t.screen();
      expect(screen).toContain("The OS keychain is not available");
      expect(screen).toContain("a PLAINTEXT file");
      expect(screen).not.toContain("fake-pass-tty-1");
      const text = readFileSync(join(env.CONFL_CONFIG_DIR as string, "secrets.enc.json"), "utf8");
      expect(text).not.toContain(sim.credentials.dc.pat);
    });
  },
);
