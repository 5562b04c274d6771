import { afterEach, describe, expect, it } from "vitest";
import { createStrategy, parseCredentialKind, unsupportedKindReason } from "../../src/auth/kinds/index.js";
import type { Profile } from "../../src/config/types.js";
import { AuthError, UsageError } from "../../src/errors.js";
import { clearRegisteredSecrets, redactText } from "../../src/redact.js";
import { inProcessContext } from "../support/context.js";

const { ctx } = inProcessContext({});
const base: Profile = {
  name: "p",
  site: "https://acme.atlassian.net",
  deployment: "cloud",
  apiBase: "https://acme.atlassian.net/wiki/",
  kind: "api-token",
  email: "ada@example.com",
  secretStore: "plaintext",
};

async function headersFor(
  profile: Profile,
  secret: Parameters<typeof createStrategy>[1],
  url = profile.apiBase,
) {
  const strategy = createStrategy(profile, secret, { ctx });
  const headers = new Headers();
  await strategy.apply({ url: new URL(url), method: "GET", headers });
  return { strategy, headers };
}

afterEach(() => clearRegisteredSecrets());

describe("credential strategies", () => {
  it("api-token: Basic email:token, and the token is registered for redaction", async () => {
    const { strategy, headers } = await headersFor(base, {
      kind: "api-token",
      token: "fake-cloud-api-token-0001",
    });
    const expected = Buffer.from("ada@example.com:fake-cloud-api-token-0001").toString("base64");
    expect(headers.get("authorization")).toBe(`Basic ${expected}`);
    expect(strategy.describe()).toBe("API token (Basic) for ada@example.com");
    expect(strategy.describe()).not.toContain("fake-cloud");
    expect(redactText(`token fake-cloud-api-token-0001 header ${expected}`)).toBe("token *** header ***");
  });

  it("scoped-token: the same Basic header, described as going through the gateway", async () => {
    const p = {
      ...base,
      kind: "scoped-token" as const,
      apiBase: "https://api.atlassian.com/ex/confluence/c/wiki/",
    };
    const { strategy, headers } = await headersFor(p, { kind: "scoped-token", token: "fake-scoped-0001" });
    expect(headers.get("authorization")).toBe(
      `Basic ${Buffer.from("ada@example.com:fake-scoped-0001").toString("base64")}`,
    );
    expect(strategy.describe()).toMatch(/gateway/);
  });

  it("pat: Bearer, no username; with a cookie both headers go", async () => {
    const p: Profile = { ...base, kind: "pat", deployment: "dc", apiBase: "https://dc.example/confluence/" };
    delete p.email;
    const { headers } = await headersFor(p, { kind: "pat", token: "fake-dc-pat-0001" });
    expect(headers.get("authorization")).toBe("Bearer fake-dc-pat-0001");
    expect(headers.get("cookie")).toBeNull();
    const both = await headersFor(p, {
      kind: "pat",
      token: "fake-dc-pat-0001",
      cookie: "crowd.token_key=fake-sso-0001",
    });
    expect(both.headers.get("authorization")).toBe("Bearer fake-dc-pat-0001");
    expect(both.headers.get("cookie")).toBe("crowd.token_key=fake-sso-0001");
    expect(both.strategy.headerNames).toEqual(["authorization", "cookie"]);
  });

  it("password: Basic username:password, described as legacy", async () => {
    const p: Profile = {
      ...base,
      kind: "password",
      deployment: "dc",
      username: "grace",
      apiBase: "https://dc.example/",
    };
    const { strategy, headers } = await headersFor(p, {
      kind: "password",
      password: "fake-dc-password-0001",
    });
    expect(headers.get("authorization")).toBe(
      `Basic ${Buffer.from("grace:fake-dc-password-0001").toString("base64")}`,
    );
    expect(strategy.describe()).toMatch(/legacy/);
  });

  it("cookie: a bare value becomes JSESSIONID; a header is used as is; a PAT rides along", async () => {
    const p: Profile = { ...base, kind: "cookie", deployment: "dc", apiBase: "https://dc.example/" };
    expect((await headersFor(p, { kind: "cookie", cookie: "fake-session-0001" })).headers.get("cookie")).toBe(
      "JSESSIONID=fake-session-0001",
    );
    const withPat = await headersFor(p, {
      kind: "cookie",
      cookie: "Cookie: a=fake-1111; b=fake-2222",
      token: "fake-pat-3333",
    });
    expect(withPat.headers.get("cookie")).toBe("a=fake-1111; b=fake-2222");
    expect(withPat.headers.get("authorization")).toBe("Bearer fake-pat-3333");
    expect(redactText("a=fake-1111")).not.toContain("fake-1111");
  });

  it("none: sends nothing", async () => {
    const { strategy, headers } = await headersFor({ ...base, kind: "none", secretStore: "none" }, undefined);
    expect([...headers.keys()]).toEqual([]);
    expect(strategy.secrets()).toEqual([]);
  });

  it("never sends a credential over plain http to another machine (loopback is fine)", async () => {
    const p = { ...base, apiBase: "http://wiki.example/wiki/" };
    await expect(headersFor(p, { kind: "api-token", token: "fake-cloud-api-token-0001" })).rejects.toThrow(
      /plain http/,
    );
    await expect(
      headersFor(
        { ...base, apiBase: "http://127.0.0.1:8080/wiki/" },
        { kind: "api-token", token: "fake-cloud-api-token-0001" },
      ),
    ).resolves.toBeTruthy();
  });

  it("a profile without its secret is an AuthError naming the fix", () => {
    expect(() => createStrategy(base, undefined, { ctx })).toThrow(AuthError);
    let error: unknown;
    try {
      createStrategy(base, { kind: "password", password: "x-fake-1" }, { ctx });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "auth.no_secret", hint: "run: confl auth login --profile p" });
  });
});

describe("credential kinds confl refuses on purpose", () => {
  it.each(["jwt", "connect", "forge", "oauth1"])(
    "confl auth login --type %s explains in two short lines with a link, and exits 2",
    (type) => {
      let error: unknown;
      try {
        parseCredentialKind(type);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      const { message, hint } = error as UsageError;
      // `confl: <message>` and `hint: <hint>`: each one short line (the link aside)
      for (const line of [`confl: ${message}`, `hint: ${hint}`]) {
        expect(line.split("\n")).toHaveLength(1);
        expect(line.replace(/https:\/\/\S+/, "").length, line).toBeLessThanOrEqual(100);
      }
      expect(message).toMatch(new RegExp(`^--type ${type} is not supported: `));
      expect(hint).toMatch(/--type (oauth|pat|api-token|client-credentials)/);
      expect(hint).toMatch(/https:\/\/developer\.atlassian\.com\/\S+$/);
      expect(unsupportedKindReason(type)).toContain("https://developer.atlassian.com/");
    },
  );

  it("an unknown kind lists the real ones", () => {
    expect(() => parseCredentialKind("bogus")).toThrow(UsageError);
    expect(parseCredentialKind("PAT")).toBe("pat");
  });
});
