/**
 * The precedence table, one test per row: stdin/flags → environment → stored profile → .netrc, and
 * the source reported for each piece.
 */
import { describe, expect, it } from "vitest";
import {
  describeSource,
  type NetrcEntry,
  type ResolveDeps,
  resolveCredential,
} from "../../src/auth/resolve.js";
import type { StoredSecret } from "../../src/auth/types.js";
import type { ConfigFile, Profile } from "../../src/config/types.js";
import { AuthError } from "../../src/errors.js";

const cloud: Profile = {
  name: "acme",
  site: "https://acme.atlassian.net",
  deployment: "cloud",
  apiBase: "https://acme.atlassian.net/wiki/",
  cloudId: "cid-1",
  kind: "api-token",
  email: "stored@example.com",
  secretStore: "keychain",
};
const dc: Profile = {
  name: "corp",
  site: "https://wiki.corp.example/confluence",
  deployment: "dc",
  apiBase: "https://wiki.corp.example/confluence/",
  kind: "pat",
  secretStore: "encrypted-file",
};

function config(...profiles: Profile[]): ConfigFile {
  return {
    version: 1,
    ...(profiles[0] ? { activeProfile: profiles[0].name } : {}),
    profiles: Object.fromEntries(profiles.map((p) => [p.name, p])),
  };
}

function deps(
  stored: Record<string, StoredSecret> = {},
  netrc: Record<string, NetrcEntry> = {},
): ResolveDeps {
  return {
    loadSecret: async (p) => stored[p.name],
    readNetrc: async (host) => netrc[host],
  };
}

const storedToken: Record<string, StoredSecret> = {
  acme: { kind: "api-token", token: "fake-stored-token-0001" },
};

describe("credential precedence: stdin/flags → environment → stored profile → .netrc", () => {
  it("row 1: a secret from stdin beats the environment and the store", async () => {
    const r = await resolveCredential(
      {
        env: { CONFLUENCE_API_TOKEN: "fake-env-token-0001" },
        config: config(cloud),
        explicit: { secret: "fake-stdin-token-0001", email: "flag@example.com" },
      },
      deps(storedToken),
    );
    expect(r.secret).toEqual({ kind: "api-token", token: "fake-stdin-token-0001" });
    expect(r.sources.secret).toEqual({ type: "stdin" });
    expect(r.profile.email).toBe("flag@example.com");
    expect(r.sources.identity).toEqual({ type: "flag", name: "--email" });
  });

  it("row 2: an environment token beats the stored one (and is used, not stored)", async () => {
    const r = await resolveCredential(
      { env: { CONFLUENCE_API_TOKEN: "fake-env-token-0001" }, config: config(cloud) },
      deps(storedToken),
    );
    expect(r.secret).toEqual({ kind: "api-token", token: "fake-env-token-0001" });
    expect(describeSource(r.sources.secret)).toBe("environment variable CONFLUENCE_API_TOKEN");
    expect(r.profile.name).toBe("acme");
    expect(r.profile.email).toBe("stored@example.com");
    expect(r.fromEnvironment).toBe(false);
  });

  it("row 3: the stored profile's secret is used when neither stdin nor env has one", async () => {
    const r = await resolveCredential(
      { env: {}, config: config(cloud) },
      deps(storedToken, { "acme.atlassian.net": { login: "n@example.com", password: "fake-netrc-0001" } }),
    );
    expect(r.secret).toEqual({ kind: "api-token", token: "fake-stored-token-0001" });
    expect(describeSource(r.sources.secret)).toBe("OS keychain");
    expect(r.sources.identity).toEqual({ type: "profile", name: "acme" });
  });

  it("row 4: .netrc (machine = host) is the last resort", async () => {
    const r = await resolveCredential(
      { env: {}, config: config({ ...dc, kind: "password", username: "grace" }) },
      deps(
        {},
        {
          "wiki.corp.example": {
            login: "grace",
            password: "fake-netrc-password-0001",
            path: "/home/x/.netrc",
          },
        },
      ),
    );
    expect(r.secret).toEqual({ kind: "password", password: "fake-netrc-password-0001" });
    expect(describeSource(r.sources.secret)).toBe("netrc (/home/x/.netrc)");
    expect(r.profile.username).toBe("grace");
  });

  it("row 5: the email comes from a flag, then the environment, then the profile", async () => {
    const env = { CONFLUENCE_EMAIL: "env@example.com", CONFLUENCE_API_TOKEN: "fake-env-token-0001" };
    const fromEnv = await resolveCredential({ env, config: config(cloud) }, deps(storedToken));
    expect(fromEnv.profile.email).toBe("env@example.com");
    expect(fromEnv.sources.identity).toEqual({ type: "env", name: "CONFLUENCE_EMAIL" });
    const fromFlag = await resolveCredential(
      { env, config: config(cloud), explicit: { email: "flag@example.com" } },
      deps(storedToken),
    );
    expect(fromFlag.profile.email).toBe("flag@example.com");
  });

  it("row 6: CONFLUENCE_USERNAME is an alias of CONFLUENCE_EMAIL", async () => {
    const r = await resolveCredential(
      {
        env: { CONFLUENCE_USERNAME: "alias@example.com", CONFLUENCE_API_TOKEN: "fake-env-token-0001" },
        config: config(cloud),
      },
      deps(),
    );
    expect(r.profile.email).toBe("alias@example.com");
    expect(r.sources.identity).toEqual({ type: "env", name: "CONFLUENCE_USERNAME" });
  });

  it("row 7: CONFLUENCE_URL + env credentials without any profile give an (environment) pseudo-profile", async () => {
    const r = await resolveCredential(
      {
        env: {
          CONFLUENCE_URL: "https://other.atlassian.net/wiki/spaces/X",
          CONFLUENCE_EMAIL: "e@example.com",
          CONFLUENCE_API_TOKEN: "fake-env-token-0001",
        },
        config: config(cloud),
      },
      deps(storedToken),
    );
    expect(r.fromEnvironment).toBe(true);
    expect(r.profile.name).toBe("(environment)");
    expect(r.profile.site).toBe("https://other.atlassian.net");
    expect(r.profile.apiBase).toBe("https://other.atlassian.net/wiki/");
    expect(r.sources.site).toEqual({ type: "env", name: "CONFLUENCE_URL" });
    expect(r.needsDetection).toBe(false);
  });

  it("row 8: the Atlassian account token is reused from ATLASSIAN_API_TOKEN, then JIRA_API_TOKEN; CONFLUENCE_API_TOKEN wins", async () => {
    const env = {
      CONFLUENCE_URL: "https://acme.atlassian.net",
      ATLASSIAN_EMAIL: "a@example.com",
      JIRA_API_TOKEN: "fake-jira-0001",
    };
    const jira = await resolveCredential({ env, config: config() }, deps());
    expect(jira.sources.secret).toEqual({ type: "env", name: "JIRA_API_TOKEN" });
    expect(jira.profile.email).toBe("a@example.com");
    const atl = await resolveCredential(
      { env: { ...env, ATLASSIAN_API_TOKEN: "fake-atl-0001" }, config: config() },
      deps(),
    );
    expect(atl.sources.secret).toEqual({ type: "env", name: "ATLASSIAN_API_TOKEN" });
    const conf = await resolveCredential(
      {
        env: { ...env, ATLASSIAN_API_TOKEN: "fake-atl-0001", CONFLUENCE_API_TOKEN: "fake-conf-0001" },
        config: config(),
      },
      deps(),
    );
    expect(conf.sources.secret).toEqual({ type: "env", name: "CONFLUENCE_API_TOKEN" });
  });

  it("row 9: CONFLUENCE_PERSONAL_TOKEN gives a PAT (Bearer) profile for a DC URL, to be detected", async () => {
    const r = await resolveCredential(
      {
        env: {
          CONFLUENCE_URL: "https://wiki.corp.example/confluence",
          CONFLUENCE_PERSONAL_TOKEN: "fake-pat-0001",
        },
        config: config(),
      },
      deps(),
    );
    expect(r.profile.kind).toBe("pat");
    expect(r.profile.deployment).toBe("dc");
    expect(r.needsDetection).toBe(true);
  });

  it("row 10: CONFLUENCE_COOKIE (with CONFLUENCE_PERSONAL_TOKEN) gives a cookie credential carrying both", async () => {
    const r = await resolveCredential(
      {
        env: {
          CONFLUENCE_URL: "https://wiki.corp.example",
          CONFLUENCE_COOKIE: "JSESSIONID=fake-1",
          CONFLUENCE_PERSONAL_TOKEN: "fake-pat-0001",
        },
        config: config(),
      },
      deps(),
    );
    expect(r.secret).toEqual({ kind: "cookie", cookie: "JSESSIONID=fake-1", token: "fake-pat-0001" });
  });

  it("row 11: CONFLUENCE_PASSWORD with CONFLUENCE_USERNAME gives DC Basic", async () => {
    const r = await resolveCredential(
      {
        env: {
          CONFLUENCE_URL: "https://wiki.corp.example",
          CONFLUENCE_USERNAME: "grace",
          CONFLUENCE_PASSWORD: "fake-pw-0001",
        },
        config: config(),
      },
      deps(),
    );
    expect(r.profile.kind).toBe("password");
    expect(r.profile.username).toBe("grace");
  });

  it("row 12: an env token on a scoped-token profile stays scoped (same Atlassian token shape)", async () => {
    const scoped: Profile = {
      ...cloud,
      kind: "scoped-token",
      apiBase: "https://api.atlassian.com/ex/confluence/cid-1/wiki/",
    };
    const r = await resolveCredential(
      { env: { CONFLUENCE_API_TOKEN: "fake-env-token-0001" }, config: config(scoped) },
      deps(),
    );
    expect(r.profile.kind).toBe("scoped-token");
    expect(r.secret).toEqual({ kind: "scoped-token", token: "fake-env-token-0001" });
  });

  it("row 13: --profile picks a profile other than the active one", async () => {
    const r = await resolveCredential(
      { env: {}, config: config(cloud, dc), requestedProfile: "corp" },
      deps({ corp: { kind: "pat", token: "fake-pat-0001" } }),
    );
    expect(r.profile.name).toBe("corp");
    expect(describeSource(r.sources.secret)).toBe("encrypted file");
  });

  it("row 14: nothing anywhere is 'not logged in' (exit 4) with the fix", async () => {
    await expect(resolveCredential({ env: {}, config: config() }, deps())).rejects.toThrow(AuthError);
    await expect(resolveCredential({ env: {}, config: config() }, deps())).rejects.toThrow(/not logged in/);
  });

  it("row 15: an env API token without any email says which variable to set", async () => {
    await expect(
      resolveCredential(
        {
          env: { CONFLUENCE_URL: "https://acme.atlassian.net", CONFLUENCE_API_TOKEN: "fake-env-0001" },
          config: config(),
        },
        deps(),
      ),
    ).rejects.toMatchObject({ code: "auth.no_email", hint: expect.stringMatching(/CONFLUENCE_EMAIL/) });
  });
});
