/**
 * Jira Data Center (issue 13), through the built CLI against the simulator's Jira DC server: `confl auth login
 * --product jira` adds Jira's own base URL and PAT (or password) to a Data Center profile, under a secret entry of
 * its own; `auth status --product jira`, `confl api --product jira` and `auth doctor` use it; each credential goes
 * only to its own product; Seraph failures and the CAPTCHA lock-out are diagnosed; logout removes both secrets.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { confl } from "../commands/helpers.js";
import { cloudLoginArgs, useSimulator } from "../support/context.js";

const sim = useSimulator();
const STORE = ["--storage", "plaintext", "--insecure-storage"];

function isolated(): NodeJS.ProcessEnv & { CONFL_CONFIG_DIR: string } {
  const dir = mkdtempSync(join(tmpdir(), "confl-jira-dc-"));
  return { CONFL_CONFIG_DIR: join(dir, "config"), HOME: dir, NETRC: join(dir, "netrc") };
}

/** A Data Center Confluence profile "default" (PAT), its secret in a plain file. */
async function dcProfile(): Promise<NodeJS.ProcessEnv & { CONFL_CONFIG_DIR: string }> {
  const env = isolated();
  const login = await confl(
    [
      "--profile",
      "default",
      "auth",
      "login",
      "--site",
      sim.origins.dc,
      "--type",
      "pat",
      "--with-token",
      ...STORE,
    ],
    env,
    sim.credentials.dc.pat,
  );
  expect(login.code, login.stderr).toBe(0);
  return env;
}

async function addJira(env: NodeJS.ProcessEnv, secret = sim.credentials.jiraDc.pat, extra: string[] = []) {
  return confl(
    [
      "auth",
      "login",
      "--product",
      "jira",
      "--site",
      sim.origins.jiraDc,
      "--type",
      "pat",
      "--with-token",
      ...STORE,
      ...extra,
    ],
    env,
    secret,
  );
}

function config(env: { CONFL_CONFIG_DIR: string }) {
  return JSON.parse(readFileSync(join(env.CONFL_CONFIG_DIR, "config.json"), "utf8")) as {
    profiles: Record<
      string,
      { jira?: { site: string; apiBase: string; kind: string; secretEntry?: string } }
    >;
  };
}

function secrets(env: { CONFL_CONFIG_DIR: string }): Record<string, string> {
  const file = JSON.parse(readFileSync(join(env.CONFL_CONFIG_DIR, "secrets.json"), "utf8")) as Record<
    string,
    unknown
  >;
  return (file.entries ?? file.secrets ?? file) as Record<string, string>;
}

describe("auth login --product jira (Data Center)", () => {
  it("verifies the Jira PAT, stores it under its own entry, records Jira's URL in the profile", async () => {
    const env = await dcProfile();
    const added = await addJira(env);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stderr).toMatch(/✓ Jira at .* added to profile default as /);
    const jira = config(env).profiles.default?.jira;
    expect(jira).toMatchObject({ site: sim.origins.jiraDc, apiBase: `${sim.origins.jiraDc}/`, kind: "pat" });
    expect(jira?.secretEntry).toMatch(/^default#jira-[0-9a-f]{8}$/);
    expect(readFileSync(join(env.CONFL_CONFIG_DIR, "config.json"), "utf8")).not.toContain(
      sim.credentials.jiraDc.pat,
    );
    const stored = JSON.stringify(secrets(env));
    expect(stored).toContain(sim.credentials.jiraDc.pat);
    expect(stored).toContain(sim.credentials.dc.pat); // Confluence's secret is untouched
    const myself = sim.log.filter((e) => e.server === "jiraDc");
    expect(myself.map((e) => e.path)).toEqual(["/jira/rest/api/2/myself"]);
    expect(myself[0]?.headers.authorization).toBe(`Bearer ${sim.credentials.jiraDc.pat}`);
  });

  it("a Confluence PAT is not a Jira PAT: refused with exit 4, nothing saved", async () => {
    const env = await dcProfile();
    const added = await addJira(env, sim.credentials.dc.pat);
    expect(added.code).toBe(4);
    expect(added.stderr).toMatch(
      /rejected the personal access token: wrong, expired or revoked \(Jira PATs are not Confluence's\)/,
    );
    expect(added.stderr).toMatch(/hint: create a token in Jira .* `confl auth login --product jira --site /);
    expect(config(env).profiles.default?.jira).toBeUndefined();
  });

  it("a second login replaces the Jira secret under a new entry and removes the old one", async () => {
    const env = await dcProfile();
    expect((await addJira(env)).code).toBe(0);
    const first = config(env).profiles.default?.jira?.secretEntry as string;
    expect((await addJira(env)).code).toBe(0);
    const second = config(env).profiles.default?.jira?.secretEntry as string;
    expect(second).not.toBe(first);
    expect(Object.keys(secrets(env))).not.toContain(first);
    expect(Object.keys(secrets(env))).toContain(second);
  });

  it("a Cloud profile needs no Jira login: exit 2, and the hint checks Jira instead", async () => {
    const env = isolated();
    const login = await confl(
      ["--profile", "default", ...cloudLoginArgs(sim, "api-token", ...STORE)],
      env,
      sim.credentials.cloud.apiToken,
    );
    expect(login.code, login.stderr).toBe(0);
    const added = await addJira(env);
    expect(added.code).toBe(2);
    expect(added.stderr).toMatch(/takes the same credential, so there is nothing to log in/);
    expect(added.stderr).toMatch(/hint: check it: confl auth status --product jira/);
  });

  it("Basic with a wrong password: Seraph's AUTHENTICATED_FAILED, then the CAPTCHA lock-out with Jira's login page", async () => {
    const env = await dcProfile();
    const password = (secret: string) =>
      confl(
        [
          ...["auth", "login", "--product", "jira", "--site", sim.origins.jiraDc, "--type", "password"],
          ...["--username", sim.credentials.jiraDc.username, "--with-token", ...STORE],
        ],
        env,
        secret,
      );
    for (let i = 0; i < 3; i++) {
      const wrong = await password("fake-wrong-jira-password-0001");
      expect(wrong.code).toBe(4);
      expect(wrong.stderr).toMatch(/rejected the username or password/);
    }
    const locked = await password(sim.credentials.jiraDc.password);
    expect(locked.code).toBe(4);
    expect(locked.stderr).toMatch(
      /locked this account behind a CAPTCHA after too many failed logins \(CAPTCHA_CHALLENGE\)/,
    );
    expect(locked.stderr).toContain(`log in once in a browser at ${sim.origins.jiraDc}/login.jsp`);
    sim.reset();
    const ok = await password(sim.credentials.jiraDc.password);
    expect(ok.code, ok.stderr).toBe(0);
    expect(config(env).profiles.default?.jira?.kind).toBe("password");
  });
});

describe("using Jira Data Center", () => {
  it("auth status --product jira and --all-products verify Jira with its own credential", async () => {
    const env = await dcProfile();
    expect((await addJira(env)).code).toBe(0);
    sim.clearLog();
    const status = await confl(["--json", "auth", "status", "--all-products"], env);
    expect(status.code, status.stderr).toBe(0);
    const p = JSON.parse(status.stdout).profiles[0];
    expect(p.verified).toBe(true);
    expect(p.jira).toMatchObject({ verified: true, apiBase: `${sim.origins.jiraDc}/`, deployment: "dc" });
    expect(p.jira.identity.username).toBe(sim.users.dc.username);
    // each credential went to its own product only
    for (const e of sim.log) {
      if (e.server === "jiraDc") expect(e.headers.authorization).toBe(`Bearer ${sim.credentials.jiraDc.pat}`);
      if (e.server === "dc" && e.headers.authorization)
        expect(e.headers.authorization).toBe(`Bearer ${sim.credentials.dc.pat}`);
    }
  });

  it("confl api --product jira searches Jira DC; a URL outside Jira's base is refused before sending", async () => {
    const env = await dcProfile();
    expect((await addJira(env)).code).toBe(0);
    const search = await confl(
      ["api", "--product", "jira", "-X", "GET", "rest/api/2/search", "-f", "jql=project = DOC"],
      env,
    );
    expect(search.code, search.stderr).toBe(0);
    expect((JSON.parse(search.stdout) as { total: number }).total).toBe(2);
    sim.clearLog();
    const offSite = await confl(["api", "--product", "jira", `${sim.origins.dc}/rest/api/user/current`], env);
    expect(offSite.code).toBe(2);
    expect(offSite.stderr).toMatch(/refusing to send a request/);
    expect(sim.log).toEqual([]);
  });

  it("a Data Center profile without Jira: --product jira says how to add it (exit 2); --all-products is fine", async () => {
    const env = await dcProfile();
    const jiraOnly = await confl(["auth", "status", "--product", "jira"], env);
    expect(jiraOnly.code).toBe(2);
    expect(jiraOnly.stderr).toMatch(
      /hint: add one: confl auth login --product jira --site https:\/\/jira\.example\.com --type pat --with-token/,
    );
    const all = await confl(["auth", "status", "--all-products"], env);
    expect(all.code, all.stderr).toBe(0);
    const api = await confl(["api", "--product", "jira", "rest/api/2/myself"], env);
    expect(api.code).toBe(2);
  });

  it("auth doctor checks Jira DC, and fails (exit 4) once its PAT is revoked", async () => {
    const env = await dcProfile();
    expect((await addJira(env)).code).toBe(0);
    const ok = await confl(["--json", "auth", "doctor"], env);
    const jira = (
      JSON.parse(ok.stdout) as { steps: Array<{ id: string; status: string; detail: string }> }
    ).steps.find((s) => s.id === "jira");
    expect(jira?.status).toBe("pass");
    expect(jira?.detail).toContain(`${sim.origins.jiraDc}/ (rest/api/2/myself)`);
    sim.expireToken(sim.credentials.jiraDc.pat);
    const bad = await confl(["--json", "auth", "doctor"], env);
    expect(bad.code).toBe(4);
    const failed = (
      JSON.parse(bad.stdout) as { steps: Array<{ id: string; status: string; code?: string }> }
    ).steps.find((s) => s.id === "jira");
    expect(failed).toMatchObject({ status: "fail", code: "auth.token_rejected" });
  });

  it("logout removes the profile's Jira secret too", async () => {
    const env = await dcProfile();
    expect((await addJira(env)).code).toBe(0);
    const out = await confl(["auth", "logout"], env);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.stringify(secrets(env))).not.toContain(sim.credentials.jiraDc.pat);
  });
});

describe("Jira Data Center from the environment (JIRA_URL + JIRA_PERSONAL_TOKEN)", () => {
  const jiraEnv = () => ({
    JIRA_URL: `${sim.origins.jiraDc}/browse/DOC-1`,
    JIRA_PERSONAL_TOKEN: sim.credentials.jiraDc.pat,
  });

  it("a Data Center profile without a stored Jira reaches Jira with the environment's PAT, sent only to Jira", async () => {
    const env = { ...(await dcProfile()), ...jiraEnv() };
    sim.clearLog();
    const status = await confl(["--json", "auth", "status", "--all-products"], env);
    expect(status.code, status.stderr).toBe(0);
    const p = JSON.parse(status.stdout).profiles[0];
    expect(p.jira).toMatchObject({
      verified: true,
      apiBase: `${sim.origins.jiraDc}/`,
      kind: "pat",
      secretSource: "environment variable JIRA_PERSONAL_TOKEN",
    });
    const toJira = sim.log.filter((e) => e.server === "jiraDc");
    expect(toJira.map((e) => e.path)).toEqual(["/jira/rest/api/2/myself", "/jira/rest/pat/latest/tokens"]);
    for (const e of toJira) expect(e.headers.authorization).toBe(`Bearer ${sim.credentials.jiraDc.pat}`);
    for (const e of sim.log.filter((e) => e.server !== "jiraDc"))
      expect(JSON.stringify(e.headers)).not.toContain(sim.credentials.jiraDc.pat);
    expect(status.stdout + status.stderr).not.toContain(sim.credentials.jiraDc.pat);
    const human = await confl(["auth", "status", "--product", "jira"], env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain("Jira credential from environment variable JIRA_PERSONAL_TOKEN");
    // nothing was stored
    expect(config(env).profiles.default?.jira).toBeUndefined();
    expect(JSON.stringify(secrets(env))).not.toContain(sim.credentials.jiraDc.pat);
  });

  it("the environment comes before the stored Jira credential, as for Confluence", async () => {
    const env = await dcProfile();
    expect((await addJira(env)).code).toBe(0);
    const revoked = { ...env, JIRA_URL: sim.origins.jiraDc, JIRA_PERSONAL_TOKEN: "not-a-jira-token" };
    const status = await confl(["auth", "status", "--product", "jira"], revoked);
    expect(status.code).toBe(4);
    expect(status.stdout + status.stderr).toMatch(/rejected the personal access token/);
    expect(status.stdout + status.stderr).not.toContain("not-a-jira-token");
    // without the variables, the stored Jira PAT works again
    expect((await confl(["auth", "status", "--product", "jira"], env)).code).toBe(0);
  });

  it("with no profile at all: CONFLUENCE_URL + CONFLUENCE_PERSONAL_TOKEN and JIRA_URL + JIRA_PERSONAL_TOKEN", async () => {
    const env = {
      ...isolated(),
      CONFLUENCE_URL: sim.origins.dc,
      CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat,
      ...jiraEnv(),
    };
    const search = await confl(
      ["api", "--product", "jira", "-X", "GET", "rest/api/2/search", "-f", "jql=project = DOC"],
      env,
    );
    expect(search.code, search.stderr).toBe(0);
    expect((JSON.parse(search.stdout) as { total: number }).total).toBe(2);
  });

  it("one variable without the other is a one-line usage error (exit 2)", async () => {
    const env = await dcProfile();
    const urlOnly = await confl(["api", "--product", "jira", "rest/api/2/myself"], {
      ...env,
      JIRA_URL: sim.origins.jiraDc,
    });
    expect(urlOnly.code).toBe(2);
    expect(urlOnly.stderr).toMatch(/^confl: JIRA_URL is set but JIRA_PERSONAL_TOKEN is not/m);
    expect(urlOnly.stderr).not.toMatch(/\n\s+at /);
    const tokenOnly = await confl(["api", "--product", "jira", "rest/api/2/myself"], {
      ...env,
      JIRA_PERSONAL_TOKEN: sim.credentials.jiraDc.pat,
    });
    expect(tokenOnly.code).toBe(2);
    expect(tokenOnly.stderr).toMatch(/JIRA_PERSONAL_TOKEN is set but JIRA_URL is not/);
    expect(tokenOnly.stderr).not.toContain(sim.credentials.jiraDc.pat);
  });
});

describe("a Jira Data Center PAT's expiry in auth status --product jira", () => {
  async function jiraStatus(env: NodeJS.ProcessEnv) {
    const json = await confl(["--json", "auth", "status", "--product", "jira"], env);
    expect(json.code, json.stderr).toBe(0);
    const human = await confl(["auth", "status", "--product", "jira"], env);
    expect(human.code, human.stderr).toBe(0);
    return { jira: JSON.parse(json.stdout).profiles[0].jira, text: human.stdout };
  }

  it("one token: Jira's list (GET rest/pat/latest/tokens, with the PAT) gives its expiry", async () => {
    const env = await dcProfile();
    expect((await addJira(env)).code).toBe(0);
    sim.clearLog();
    const { jira, text } = await jiraStatus(env);
    expect(jira.pat).toEqual({ tokens: 1, name: "confl", expiresAt: "2027-03-01T09:00:00.000Z" });
    const days = Math.floor((Date.parse("2027-03-01T09:00:00.000Z") - Date.now()) / 86_400_000);
    expect(text).toContain(`jira pat:  expires 2027-03-01T09:00:00.000Z (in ${days} days)`);
    const listed = sim.log.filter((e) => e.server === "jiraDc" && e.path === "/jira/rest/pat/latest/tokens");
    expect(listed.map((e) => e.headers.authorization)).toEqual([
      `Bearer ${sim.credentials.jiraDc.pat}`,
      `Bearer ${sim.credentials.jiraDc.pat}`,
    ]);
  });

  it("within 5 days of the end (Jira's EXPIRES SOON) the line says to create a new token; none: never expires", async () => {
    const env = await dcProfile();
    expect((await addJira(env)).code).toBe(0);
    const soon = new Date(Date.now() + 2 * 86_400_000 + 3_600_000).toISOString().replace("Z", "+0000");
    sim.settings.jiraPatTokens = [
      { id: 7, name: "ci", createdAt: "2026-11-01T00:00:00.000+0000", expiringAt: soon },
    ];
    expect((await jiraStatus(env)).text).toMatch(
      /jira pat: {2}expires \S+ \(in 2 days\): create a new one in Jira \(Profile → Personal Access Tokens\)/,
    );
    sim.settings.jiraPatTokens = [{ id: 8, name: "forever", createdAt: "2026-11-01T00:00:00.000+0000" }];
    const never = await jiraStatus(env);
    expect(never.jira.pat).toEqual({ tokens: 1, name: "forever", neverExpires: true });
    expect(never.text).toContain("jira pat:  never expires");
  });

  it("several tokens: Jira does not say which one is in use, so confl does not guess", async () => {
    const env = await dcProfile();
    expect((await addJira(env)).code).toBe(0);
    sim.settings.jiraPatTokens = [
      {
        id: 1,
        name: "a",
        createdAt: "2026-11-01T00:00:00.000+0000",
        expiringAt: "2026-12-03T00:00:00.000+0000",
      },
      {
        id: 2,
        name: "b",
        createdAt: "2026-11-02T00:00:00.000+0000",
        expiringAt: "2027-06-01T00:00:00.000+0000",
      },
    ];
    const { jira, text } = await jiraStatus(env);
    expect(jira.pat).toEqual({ tokens: 2 });
    expect(text).toContain("one of 2 tokens, and Jira does not say which one this is: expiry unknown");
  });

  it("a Jira without the PAT list (404) or a password login: no expiry line, status still works", async () => {
    const env = await dcProfile();
    expect((await addJira(env)).code).toBe(0);
    sim.settings.jiraPatTokens = "unsupported";
    const old = await jiraStatus(env);
    expect(old.jira.verified).toBe(true);
    expect(old.jira.pat).toBeUndefined();
    expect(old.text).not.toContain("jira pat:");
    sim.settings.jiraPatTokens = [{ id: 1, name: "x", createdAt: "2026-11-01T00:00:00.000+0000" }];
    const password = await confl(
      [
        ...["auth", "login", "--product", "jira", "--site", sim.origins.jiraDc, "--type", "password"],
        ...["--username", sim.credentials.jiraDc.username, "--with-token", ...STORE],
      ],
      env,
      sim.credentials.jiraDc.password,
    );
    expect(password.code, password.stderr).toBe(0);
    sim.clearLog();
    expect((await jiraStatus(env)).jira.pat).toBeUndefined();
    expect(sim.log.some((e) => e.path.includes("/rest/pat/"))).toBe(false);
  });
});
