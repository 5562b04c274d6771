/**
 * Who is calling, per origin, by Atlassian's rules (confluence-api.md §1.12, §1.14, §3, §5.2–5.3). Each function
 * returns the caller (a user or anonymous) or the exact refusal Atlassian sends.
 */
import type { IncomingMessage } from "node:http";
import { classicScopes } from "./fixtures.js";
import { tomcatHtml, v1ErrorBody } from "./respond.js";
import type { Principal, RouteResult } from "./router.js";
import type { SimCredentials, SimSettings, SimTokenRegistry, SimUser } from "./types.js";

export interface AuthState {
  settings: SimSettings;
  credentials: SimCredentials;
  users: { cloud: SimUser; dc: SimUser };
  tokens: SimTokenRegistry;
  /** tokens made invalid by expireToken() */
  expired: Set<string>;
  /** failed Basic logins per DC username (CAPTCHA after settings.captchaAfterFailures) */
  dcFailures: Map<string, number>;
  now(): number;
}

export type AuthOutcome =
  | { principal: Principal; headers?: Record<string, string> }
  | { refusal: RouteResult };

type Parsed =
  | { scheme: "none" }
  | { scheme: "basic"; user: string; secret: string }
  | { scheme: "basic-unreadable" }
  | { scheme: "bearer"; token: string }
  | { scheme: "other" };

export function parseAuthorization(req: IncomingMessage): Parsed {
  const header = req.headers.authorization;
  if (header === undefined || header.trim() === "") return { scheme: "none" };
  const basic = /^Basic\s+(.*)$/i.exec(header);
  if (basic) {
    const encoded = basic[1]!.trim();
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return { scheme: "basic-unreadable" };
    const decoded = Buffer.from(encoded, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return { scheme: "basic-unreadable" };
    return { scheme: "basic", user: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return { scheme: "bearer", token: bearer[1]! };
  return { scheme: "other" };
}

const scopeMismatch: RouteResult = {
  status: 401,
  json: { code: 401, message: "Unauthorized; scope does not match" },
  headers: { "x-failure-category": "FAILURE_CLIENT_SCOPE_CHECK" },
};

export function scopeMismatchRefusal(): RouteResult {
  return { ...scopeMismatch, headers: { ...scopeMismatch.headers } };
}

const gatewayUnauthorized = (): RouteResult => ({
  status: 401,
  json: { code: 401, message: "Unauthorized" },
});

/**
 * What a Cloud site answers a scoped API token sent to it: Tomcat's 401 page, not the gateway's "scope does not
 * match" (Atlassian Community "Scoped API Token returns Unauthorized for simple query", 2025-06-05: "The request has
 * not been applied to the target resource because it lacks valid authentication credentials for that resource").
 * The same answer on a public site: the token is refused, not served anonymously.
 */
export function scopedTokenOnSiteRefusal(challenge: string): RouteResult {
  return {
    status: 401,
    text:
      '<!doctype html><html lang="en"><head><title>HTTP Status 401 – Unauthorized</title></head><body>' +
      '<h1>HTTP Status 401 – Unauthorized</h1><hr class="line" /><p><b>Type</b> Status Report</p>' +
      "<p><b>Description</b> The request has not been applied to the target resource because it lacks valid " +
      'authentication credentials for that resource.</p><hr class="line" /></body></html>',
    contentType: "text/html;charset=utf-8",
    headers: { "www-authenticate": challenge },
  };
}

/**
 * A Bearer token the site cannot read as an Atlassian session (a DC personal access token, an API token sent as
 * Bearer): 403 with this JSON (atlassian-python-api #1199, langchain-ai/langchain #7531, 2023).
 */
export const connectSessionRefusal = (): RouteResult => ({
  status: 403,
  json: { error: "Failed to parse Connect Session Auth Token" },
});

/** Data Center with Basic disabled by an admin (skleinei/alfred-confluence #24, 2025-03: 403 with this JSON). */
export const dcBasicDisabled = (): RouteResult => ({
  status: 403,
  json: { message: "Basic Authentication has been disabled on this instance." },
});

const basicDisabled = (): RouteResult => ({
  status: 401,
  text: "Basic Authentication has been disabled on this instance",
  contentType: "text/plain",
});

function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The Cloud site (<site>.atlassian.net): classic API tokens only; everything else per §1.12/§1.14. */
export function authenticateSite(req: IncomingMessage, state: AuthState, siteOrigin: string): AuthOutcome {
  const cloud = state.credentials.cloud;
  const parsed = parseAuthorization(req);
  const challenge = `OAuth realm="${encodeURIComponent(`${siteOrigin}/wiki`)}"`;
  const clientMustAuthenticate = (): AuthOutcome => ({
    refusal: {
      status: 401,
      text: "Client must be authenticated to access this resource.",
      contentType: "text/plain",
      headers: { "www-authenticate": challenge },
    },
  });
  const rejected = (): AuthOutcome =>
    state.settings.cloudAnonymousAccess
      ? { principal: { kind: "anonymous" } }
      : {
          refusal: {
            status: 403,
            json: {
              statusCode: 403,
              message:
                'com.atlassian.confluence.mvc.rest.common.exception.StacklessResponseStatusException: 403 FORBIDDEN "Request rejected because caller cannot access Confluence"',
            },
          },
        };
  switch (parsed.scheme) {
    case "none":
    case "other":
      return rejected();
    case "basic-unreadable":
      return {
        refusal: {
          status: 401,
          text: tomcatHtml(401, "Unauthorized"),
          contentType: "text/html;charset=utf-8",
          headers: { "www-authenticate": challenge },
        },
      };
    case "bearer": {
      // a 3LO token on <site>.atlassian.net → 401 (confluence.js guide, §4.4); anything else sent as Bearer
      // (a PAT, an API token) is not an Atlassian token at all → 403 "Failed to parse Connect Session Auth Token"
      const grant = state.tokens.lookup(parsed.token);
      if (grant && (grant.kind === "oauth" || grant.kind === "client-credentials"))
        return clientMustAuthenticate();
      return { refusal: connectSessionRefusal() };
    }
    case "basic": {
      if (state.settings.cloudBasicAuthDisabled) return { refusal: basicDisabled() };
      const { user, secret } = parsed;
      if (secret === cloud.expiredApiToken || (secret === cloud.apiToken && state.expired.has(secret))) {
        return clientMustAuthenticate();
      }
      if (secret === cloud.apiToken && sameEmail(user, cloud.email)) {
        return { principal: { kind: "user", user: state.users.cloud, credential: "classic-token" } };
      }
      if (secret === cloud.scopedToken || secret === cloud.scopedTokenClassic)
        return { refusal: scopedTokenOnSiteRefusal(challenge) };
      if (
        cloud.accountPassword !== undefined &&
        secret === cloud.accountPassword &&
        sameEmail(user, cloud.email)
      ) {
        return {
          refusal: {
            status: 401,
            text: "Basic authentication with passwords is deprecated.  For more information, see: https://confluence.atlassian.com/cloud/deprecation-of-basic-authentication-with-passwords-for-jira-and-confluence-apis-972355348.html",
            contentType: "text/plain",
          },
        };
      }
      return rejected();
    }
  }
}

/** api.atlassian.com: scoped API tokens (Basic) and OAuth Bearer grants; classic tokens are refused (§3). */
export function authenticateGateway(req: IncomingMessage, state: AuthState): AuthOutcome {
  const cloud = state.credentials.cloud;
  const parsed = parseAuthorization(req);
  if (parsed.scheme === "basic") {
    if (state.settings.cloudBasicAuthDisabled) return { refusal: basicDisabled() };
    const scoped =
      parsed.secret === cloud.scopedToken
        ? cloud.scopedTokenScopes
        : parsed.secret === cloud.scopedTokenClassic
          ? classicScopes
          : undefined;
    if (scoped && !state.expired.has(parsed.secret) && sameEmail(parsed.user, cloud.email)) {
      return {
        principal: { kind: "user", user: state.users.cloud, credential: "scoped-token", scopes: [...scoped] },
      };
    }
    return { refusal: gatewayUnauthorized() };
  }
  if (parsed.scheme === "bearer") {
    const grant = state.tokens.lookup(parsed.token);
    if (
      grant &&
      (grant.kind === "oauth" || grant.kind === "client-credentials") &&
      grant.expiresAt > state.now() &&
      !state.expired.has(parsed.token)
    ) {
      return {
        principal: { kind: "user", user: grant.user, credential: "bearer", scopes: [...grant.scopes] },
      };
    }
    return { refusal: gatewayUnauthorized() };
  }
  return { refusal: gatewayUnauthorized() };
}

function parseCookies(req: IncomingMessage): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

/**
 * Data Center (§5.2–5.3): PAT as Bearer, Basic username:password, JSESSIONID cookie (alone or with a PAT),
 * DC OAuth Bearer grants. Wrong credentials → 401 AUTHENTICATED_FAILED, or anonymous 200 with that header when
 * anonymous access is on. After captchaAfterFailures failed Basic logins → AUTHENTICATION_DENIED, even with the
 * right password, until reset().
 */
export function authenticateDc(req: IncomingMessage, state: AuthState, dcOrigin: string): AuthOutcome {
  const dc = state.credentials.dc;
  const parsed = parseAuthorization(req);
  const cookie = parseCookies(req).get("JSESSIONID");
  const cookieValid = cookie !== undefined && cookie === dc.sessionCookie && !state.expired.has(cookie);
  const user = (credential: "basic" | "pat" | "cookie" | "bearer", scopes?: string[]): AuthOutcome => ({
    principal: {
      kind: "user",
      user: state.users.dc,
      credential,
      ...(scopes ? { scopes } : {}),
    },
    ...(credential === "basic" ? { headers: { "x-seraph-loginreason": "OK" } } : {}),
  });
  const failed = (): AuthOutcome =>
    state.settings.dcAnonymousAccess
      ? { principal: { kind: "anonymous" }, headers: { "x-seraph-loginreason": "AUTHENTICATED_FAILED" } }
      : {
          refusal: {
            status: 401,
            json: v1ErrorBody(401, "Authentication failed", { authorized: false }),
            headers: { "x-seraph-loginreason": "AUTHENTICATED_FAILED" },
          },
        };
  if (parsed.scheme === "bearer") {
    if (parsed.token === dc.pat && !state.expired.has(parsed.token)) return user("pat");
    const grant = state.tokens.lookup(parsed.token);
    if (grant && grant.kind === "dc-oauth") {
      if (grant.expiresAt <= state.now() || state.expired.has(parsed.token)) {
        return {
          refusal: {
            status: 401,
            json: v1ErrorBody(401, "The access token expired", { authorized: false }),
            headers: { "www-authenticate": 'Bearer realm="Confluence", error="invalid_token"' },
          },
        };
      }
      return user("bearer", [...grant.scopes]);
    }
    return failed();
  }
  if (parsed.scheme === "basic") {
    if (state.settings.dcBasicAuthDisabled) return { refusal: dcBasicDisabled() };
    const failures = state.dcFailures.get(parsed.user) ?? 0;
    if (failures >= state.settings.captchaAfterFailures) {
      // CAPTCHA lock-out (KB 966681459): refuse even the right password
      return {
        refusal: {
          status: 401,
          text: "<html><body><h1>Authentication denied</h1><p>CAPTCHA required: log in through the browser.</p></body></html>",
          contentType: "text/html;charset=UTF-8",
          headers: {
            "x-seraph-loginreason": "AUTHENTICATION_DENIED",
            "www-authenticate": `OAuth realm="${encodeURIComponent(dcOrigin)}"`,
          },
        },
      };
    }
    if (parsed.user === dc.username && parsed.secret === dc.password && !state.expired.has(parsed.secret)) {
      state.dcFailures.delete(parsed.user);
      return user("basic");
    }
    state.dcFailures.set(parsed.user, failures + 1);
    return failed();
  }
  if (parsed.scheme === "basic-unreadable" || parsed.scheme === "other") return failed();
  if (cookieValid) return user("cookie");
  if (cookie !== undefined) return failed();
  return state.settings.dcAnonymousAccess
    ? { principal: { kind: "anonymous" } }
    : {
        refusal: {
          status: 401,
          json: v1ErrorBody(401, "This request requires authentication", { authorized: false }),
        },
      };
}

/** DC OAuth 2.0 scopes are hierarchical: SYSTEM_ADMIN ⊃ ADMIN ⊃ WRITE ⊃ READ. */
export function dcScopeAllows(scopes: string[], method: string): boolean {
  const rank: Record<string, number> = { READ: 1, WRITE: 2, ADMIN: 3, SYSTEM_ADMIN: 4 };
  const held = Math.max(0, ...scopes.map((scope) => rank[scope.toUpperCase()] ?? 0));
  return held >= (method === "GET" || method === "HEAD" ? 1 : 2);
}
