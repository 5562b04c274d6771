/**
 * The simulator's OAuth 2.0 authorization servers: Atlassian's (the `auth` origin: /authorize,
 * /oauth/token) and Data Center's (/rest/oauth2/latest/* under the DC base). Mounted by index.ts.
 *
 * Behaviour follows confluence-api.md §4 (Cloud) and §5.2 (DC):
 * - /authorize shows a real HTML consent page (a form with Accept / Deny); the form posts back and
 *   is answered with a 302 to the redirect URI carrying `code` + `state`, or `error=access_denied`.
 * - The token endpoint takes JSON or form bodies. `client_secret` is REQUIRED (PKCE alone does not work
 *   on Atlassian, OAUTH20-2491): missing or wrong → 401 {"error":"access_denied","error_description":"Unauthorized"}.
 * - Refresh tokens rotate: every refresh disables the one presented; presenting a disabled, unknown or
 *   expired one → 403 {"error":"invalid_grant","error_description":"Unknown or invalid refresh token."}.
 *   Expiry is 90 days idle / 365 days absolute on a simulated clock (`advanceClock`).
 *
 * Consent failures never reach the callback: Atlassian shows them on its own page and the app's loopback
 * receiver waits in vain (confluence-api.md §0.1):
 * - redirect_uri must match the app's callback URL EXACTLY, port included: "The app's callback URL is
 *   invalid. Contact the app developer to fix the redirect URL in the app's settings." (github/copilot-cli
 *   #4795, 2026-09: random loopback ports refused; developer.atlassian.com "Enabling OAuth 2.0 (3LO)": "the
 *   redirect_uri must match this URL"). RFC 8252's any-port loopback rule only with settings.oauthAnyLoopbackPort.
 * - every requested scope must have been added to the app: "This app has requested scopes that have not been
 *   added to the app. Configure the app at https://developer.atlassian.com/apps and add the following scopes to
 *   the app: …" (atlassian/atlassian-mcp-server #177 and #199, 2026). An unknown scope cannot have been added.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BearerGrant, OAuthRouteContext, SimHandler, SimUser } from "./types.js";

export interface OAuthRoutes {
  /** every request to the `auth` origin */
  auth: SimHandler;
  /** requests under {dc}/rest/oauth2/latest/ */
  dc: SimHandler;
  /** knobs and counters for tests (also reachable through oauthControls(sim)) */
  controls: OAuthSimControls;
}

export interface OAuthCounters {
  /** authorization codes exchanged successfully */
  codeExchanges: number;
  /** successful refresh_token grants */
  refreshes: number;
  /** successful client_credentials grants */
  clientCredentials: number;
  /** answers with error=invalid_grant (reused, unknown or expired refresh tokens, bad codes) */
  invalidGrant: number;
  /** answers with 401 access_denied (missing or wrong client secret) */
  accessDenied: number;
  /** token requests the client abandoned before the server processed them (see tokenDelayMs) */
  abandoned: number;
  /** POSTs to the token endpoint that arrived, counted before any delay or processing */
  tokenRequestsReceived: number;
}

export interface OAuthSimControls {
  counters: OAuthCounters;
  /**
   * Wait this long before processing a token request. The wait models network latency BEFORE the
   * server reads the request: a client that disconnects during it (killed process) changes nothing.
   */
  tokenDelayMs: number;
  /** answer the next N token requests with this status (transient outage), without processing them */
  failNextTokenRequests(count: number, status?: number): void;
  /**
   * move the simulated clock used for refresh-token idle (90 d) and absolute (365 d) expiry (access tokens
   * expire on the simulator's clock, SimOptions.now)
   */
  advanceClock(ms: number): void;
  /** make this refresh token dead (as if its 90 days of idleness had passed) */
  expireRefreshToken(token: string): void;
  /** every refresh token currently valid */
  liveRefreshTokens(): string[];
  /** the access tokens issued so far, newest last */
  issuedAccessTokens: string[];
  resetCounters(): void;
  /**
   * A barrier: resolves once `counters[name]` reaches `atLeast` (at once if it has), so a test waits for
   * the server to see something instead of sleeping or polling.
   */
  when(name: keyof OAuthCounters, atLeast: number): Promise<void>;
  /** counters to zero, no delay, no pending failures, the simulated clock back to now */
  reset(): void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Classic Confluence scopes (confluence-api.md §4.5) a service account holds besides the granular ones. */
const CLASSIC_SCOPES = [
  "read:confluence-content.all",
  "read:confluence-content.summary",
  "write:confluence-content",
  "read:confluence-space.summary",
  "write:confluence-file",
  "search:confluence",
  "read:confluence-user",
];
/** Granular Confluence scopes an app may enable (spec-v2 securitySchemes, the ones confl could ask for). */
const GRANULAR_SCOPES = ["read", "write", "delete"].flatMap((verb) =>
  ["page", "blogpost", "attachment", "comment", "space", "content", "folder", "whiteboard", "database"].map(
    (thing) => `${verb}:${thing}:confluence`,
  ),
);
/** What the sim's app has enabled unless a test says otherwise: every Confluence scope, plus offline_access. */
export const DEFAULT_ENABLED_SCOPES = [
  ...GRANULAR_SCOPES,
  "read:space-details:confluence",
  "read:label:confluence",
  "write:label:confluence",
  "read:content-details:confluence",
  "read:hierarchical-content:confluence",
  "read:content.metadata:confluence",
  "read:user:confluence",
  "read:content.property:confluence",
  "write:content.property:confluence",
  ...CLASSIC_SCOPES,
  "read:confluence-content.permission",
  "write:confluence-space",
  "read:confluence-props",
  "write:confluence-props",
  "manage:confluence-configuration",
  "read:confluence-groups",
  "write:confluence-groups",
  "readonly:content.attachment:confluence",
  "read:me",
  "offline_access",
];
export const CONSENT_SCOPES_NOT_ADDED =
  "This app has requested scopes that have not been added to the app. Configure the app at https://developer.atlassian.com/apps and add the following scopes to the app:";
export const CONSENT_CALLBACK_INVALID =
  "The app's callback URL is invalid. Contact the app developer to fix the redirect URL in the app's settings.";
export const REFRESH_IDLE_MS = 90 * DAY_MS;
export const REFRESH_ABSOLUTE_MS = 365 * DAY_MS;
const CODE_TTL_MS = 10 * 60 * 1000;

type Flavour = "cloud" | "dc";

interface PendingCode {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  user: SimUser;
  flavour: Flavour;
  codeChallenge?: string;
  expiresAt: number;
  used: boolean;
}

interface RefreshRecord {
  clientId: string;
  scopes: string[];
  user: SimUser;
  flavour: Flavour;
  /** the start of the chain: absolute expiry counts from here */
  chainStartedAt: number;
  issuedAt: number;
  disabled: boolean;
}

const registry = new Map<string, OAuthSimControls>();

/** The OAuth controls of a running simulator (looked up by its auth origin). */
export function oauthControls(sim: { origins: { auth: string } }): OAuthSimControls {
  const controls = registry.get(sim.origins.auth);
  if (!controls) throw new Error("this simulator has no OAuth routes mounted");
  return controls;
}

export function createOAuthRoutes(context: OAuthRouteContext): OAuthRoutes {
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, RefreshRecord>();
  let clockOffset = 0;
  let failures: { remaining: number; status: number } = { remaining: 0, status: 503 };
  const simNow = () => Date.now() + clockOffset;

  const counters: OAuthCounters = {
    codeExchanges: 0,
    refreshes: 0,
    clientCredentials: 0,
    invalidGrant: 0,
    accessDenied: 0,
    abandoned: 0,
    tokenRequestsReceived: 0,
  };
  const waiters: Array<{ name: keyof OAuthCounters; atLeast: number; resolve: () => void }> = [];
  const bump = (name: keyof OAuthCounters) => {
    counters[name]++;
    for (const waiter of [...waiters])
      if (counters[waiter.name] >= waiter.atLeast) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
  };
  const controls: OAuthSimControls = {
    counters,
    when(name, atLeast) {
      if (counters[name] >= atLeast) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ name, atLeast, resolve }));
    },
    tokenDelayMs: 0,
    failNextTokenRequests(count, status = 503) {
      failures = { remaining: count, status };
    },
    advanceClock(ms) {
      clockOffset += ms;
    },
    expireRefreshToken(token) {
      const record = refreshTokens.get(token);
      if (record) record.issuedAt = simNow() - REFRESH_IDLE_MS - 1;
    },
    liveRefreshTokens() {
      return [...refreshTokens.entries()].filter(([, r]) => refreshAlive(r)).map(([t]) => t);
    },
    issuedAccessTokens: [],
    resetCounters() {
      for (const key of Object.keys(counters) as (keyof OAuthCounters)[]) counters[key] = 0;
    },
    reset() {
      controls.resetCounters();
      controls.tokenDelayMs = 0;
      failures = { remaining: 0, status: 503 };
      clockOffset = 0;
    },
  };
  registry.set(context.origins.auth, controls);

  function refreshAlive(record: RefreshRecord): boolean {
    const now = simNow();
    return (
      !record.disabled &&
      now - record.issuedAt < REFRESH_IDLE_MS &&
      now - record.chainStartedAt < REFRESH_ABSOLUTE_MS
    );
  }

  function redirectAllowed(redirectUri: string): boolean {
    const registered = context.credentials.oauth.redirectUris;
    if (registered.includes(redirectUri)) return true;
    let candidate: URL;
    try {
      candidate = new URL(redirectUri);
    } catch {
      return false;
    }
    if (!context.settings.oauthAnyLoopbackPort) return false;
    if (candidate.protocol !== "http:" || candidate.hostname !== "127.0.0.1") return false;
    return registered.some((uri) => {
      const r = new URL(uri);
      return (
        r.protocol === "http:" &&
        r.hostname === "127.0.0.1" &&
        r.pathname === candidate.pathname &&
        candidate.search === "" &&
        candidate.hash === ""
      );
    });
  }

  function issueTokens(
    flavour: Flavour,
    kind: BearerGrant["kind"],
    clientId: string,
    user: SimUser,
    scopes: string[],
    withRefresh: boolean,
    chainStartedAt: number,
  ): Record<string, unknown> {
    const ttl = context.settings.oauthAccessTokenTtl;
    const accessToken = `sim-${flavour}-oauth-access-${randomBytes(12).toString("hex")}`;
    // on the simulator's clock, which a test may inject and move (the auth rules compare with the same clock)
    const issuedAt = context.now?.() ?? Date.now();
    context.tokens.grant({ token: accessToken, kind, user, scopes, expiresAt: issuedAt + ttl * 1000 });
    controls.issuedAccessTokens.push(accessToken);
    const body: Record<string, unknown> = {
      access_token: accessToken,
      expires_in: ttl,
      token_type: "Bearer",
      scope: scopes.join(" "),
    };
    if (withRefresh) {
      const refreshToken = `sim-${flavour}-oauth-refresh-${randomBytes(16).toString("hex")}`;
      refreshTokens.set(refreshToken, {
        clientId,
        scopes,
        user,
        flavour,
        chainStartedAt,
        issuedAt: simNow(),
        disabled: false,
      });
      body.refresh_token = refreshToken;
    }
    return body;
  }

  async function handleAuthorize(
    flavour: Flavour,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
  ): Promise<boolean> {
    const params = req.method === "POST" ? new URLSearchParams(body.toString("utf8")) : url.searchParams;
    const clientId = params.get("client_id") ?? "";
    const redirectUri = params.get("redirect_uri") ?? "";
    const problem = validateAuthorizeRequest(flavour, params, clientId, redirectUri);
    if (problem) {
      // Never redirect to an unvalidated redirect_uri (RFC 6749 §4.1.2.1): show the error instead.
      sendHtml(res, 400, page("Authorization error", `<p class="error">${escapeHtml(problem)}</p>`));
      return true;
    }
    const state = params.get("state") ?? "";
    const scopes = (params.get("scope") ?? "").split(/[\s+]+/).filter(Boolean);
    const user = flavour === "cloud" ? context.users.cloud : context.users.dc;
    if (req.method === "GET") {
      sendHtml(res, 200, consentPage(flavour, url.pathname, params, scopes, user));
      return true;
    }
    if (req.method !== "POST") {
      sendHtml(res, 405, page("Method not allowed", "<p>GET or POST only.</p>"));
      return true;
    }
    const target = new URL(redirectUri);
    if (params.get("decision") !== "accept") {
      target.searchParams.set("error", "access_denied");
      target.searchParams.set("error_description", "User did not authorize the request");
    } else {
      const code = `sim-${flavour}-code-${randomBytes(12).toString("hex")}`;
      const challenge = params.get("code_challenge") ?? undefined;
      codes.set(code, {
        clientId,
        redirectUri,
        scopes,
        user,
        flavour,
        codeChallenge: challenge || undefined,
        expiresAt: Date.now() + CODE_TTL_MS,
        used: false,
      });
      target.searchParams.set("code", code);
    }
    if (state) target.searchParams.set("state", state);
    res.writeHead(302, { location: target.toString(), "content-length": "0" });
    res.end();
    return true;
  }

  function validateAuthorizeRequest(
    flavour: Flavour,
    params: URLSearchParams,
    clientId: string,
    redirectUri: string,
  ): string | undefined {
    if (flavour === "cloud" && params.get("audience") !== "api.atlassian.com") {
      return "audience must be api.atlassian.com";
    }
    if (clientId !== context.credentials.oauth.clientId) return "Unknown client_id";
    if (!redirectAllowed(redirectUri))
      return flavour === "cloud" ? CONSENT_CALLBACK_INVALID : "redirect_uri is not registered for this app";
    if (params.get("response_type") !== "code") return "response_type must be code";
    if (!params.get("scope")) return "scope is required";
    if (flavour === "cloud") {
      const enabled = context.credentials.oauth.enabledScopes ?? DEFAULT_ENABLED_SCOPES;
      const missing = (params.get("scope") ?? "")
        .split(/[\s+]+/)
        .filter((scope) => scope !== "" && !enabled.includes(scope));
      if (missing.length > 0) return `${CONSENT_SCOPES_NOT_ADDED} ${missing.join(", ")}.`;
    }
    const method = params.get("code_challenge_method");
    if (params.get("code_challenge") && method !== "S256") return "code_challenge_method must be S256";
    return undefined;
  }

  async function handleToken(
    flavour: Flavour,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
  ): Promise<boolean> {
    if (req.method !== "POST") {
      sendJsonBody(res, 405, { error: "invalid_request", error_description: "POST only" });
      return true;
    }
    bump("tokenRequestsReceived");
    if (controls.tokenDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, controls.tokenDelayMs));
      if (req.socket.destroyed || res.destroyed) {
        bump("abandoned");
        return true;
      }
    }
    if (failures.remaining > 0) {
      failures.remaining--;
      sendJsonBody(res, failures.status, {
        error: "temporarily_unavailable",
        error_description: "Try again",
      });
      return true;
    }
    const params = parseBody(req, body);
    const grantType = params.grant_type;
    const clientId = params.client_id;
    if (
      clientId !== context.credentials.oauth.clientId ||
      params.client_secret !== context.credentials.oauth.clientSecret
    ) {
      bump("accessDenied");
      sendJsonBody(res, 401, { error: "access_denied", error_description: "Unauthorized" });
      return true;
    }
    const kind: BearerGrant["kind"] = flavour === "dc" ? "dc-oauth" : "oauth";
    if (grantType === "authorization_code") {
      const code = codes.get(params.code ?? "");
      const invalid = (description: string) => {
        bump("invalidGrant");
        sendJsonBody(res, 403, { error: "invalid_grant", error_description: description });
        return true;
      };
      if (!code || code.flavour !== flavour || code.clientId !== clientId)
        return invalid("Invalid authorization code");
      if (code.used) {
        codes.delete(params.code ?? "");
        return invalid("Authorization code has already been used");
      }
      code.used = true;
      if (code.expiresAt < Date.now()) return invalid("Authorization code has expired");
      if (code.redirectUri !== params.redirect_uri) return invalid("redirect_uri does not match");
      if (code.codeChallenge) {
        const verifier = params.code_verifier ?? "";
        const computed = createHash("sha256").update(verifier).digest("base64url");
        if (computed !== code.codeChallenge) return invalid("PKCE verification failed");
      }
      bump("codeExchanges");
      const withRefresh = flavour === "dc" || code.scopes.includes("offline_access");
      sendJsonBody(
        res,
        200,
        issueTokens(flavour, kind, clientId, code.user, code.scopes, withRefresh, simNow()),
      );
      return true;
    }
    if (grantType === "refresh_token") {
      const token = params.refresh_token ?? "";
      const record = refreshTokens.get(token);
      if (!record || record.flavour !== flavour || record.clientId !== clientId || !refreshAlive(record)) {
        bump("invalidGrant");
        sendJsonBody(res, 403, {
          error: "invalid_grant",
          error_description: "Unknown or invalid refresh token.",
        });
        return true;
      }
      record.disabled = true;
      bump("refreshes");
      sendJsonBody(
        res,
        200,
        issueTokens(flavour, kind, clientId, record.user, record.scopes, true, record.chainStartedAt),
      );
      return true;
    }
    if (grantType === "client_credentials" && flavour === "cloud") {
      if (params.audience !== undefined && params.audience !== "api.atlassian.com") {
        sendJsonBody(res, 403, { error: "access_denied", error_description: "Invalid audience" });
        return true;
      }
      bump("clientCredentials");
      // A service account's credential carries the scopes chosen when it was created; with none asked
      // for, it gets all of them (granular for v2, classic for the v1 calls).
      const requested = (params.scope ?? "").split(/\s+/).filter(Boolean);
      const scopes =
        requested.length > 0
          ? requested
          : [...context.credentials.cloud.scopedTokenScopes, ...CLASSIC_SCOPES];
      sendJsonBody(
        res,
        200,
        issueTokens(flavour, "client-credentials", clientId, context.users.cloud, scopes, false, simNow()),
      );
      return true;
    }
    if (grantType === "client_credentials" && flavour === "dc") {
      // DC service accounts: form body, no refresh token, new token on expiry (Atlassian "Service accounts
      // overview", Data Center).
      bump("clientCredentials");
      const requested = (params.scope ?? "").split(/\s+/).filter(Boolean);
      sendJsonBody(
        res,
        200,
        issueTokens(
          flavour,
          "dc-oauth",
          clientId,
          context.users.dc,
          requested.length > 0 ? requested : ["WRITE"],
          false,
          simNow(),
        ),
      );
      return true;
    }
    sendJsonBody(res, 400, {
      error: "unsupported_grant_type",
      error_description: `Unsupported grant type: ${grantType}`,
    });
    return true;
  }

  const auth: SimHandler = (req, res, url, body) => {
    if (url.pathname === "/authorize") return handleAuthorize("cloud", req, res, url, body);
    if (url.pathname === "/oauth/token") return handleToken("cloud", req, res, body);
    return false;
  };

  const dc: SimHandler = (req, res, url, body) => {
    if (url.pathname.endsWith("/rest/oauth2/latest/authorize"))
      return handleAuthorize("dc", req, res, url, body);
    if (url.pathname.endsWith("/rest/oauth2/latest/token")) return handleToken("dc", req, res, body);
    return false;
  };

  return { auth, dc, controls };
}

function parseBody(req: IncomingMessage, body: Buffer): Record<string, string | undefined> {
  const text = body.toString("utf8");
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const out: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(parsed)) {
        if (typeof value === "string") out[key] = value;
      }
      return out;
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text).entries());
}

function sendJsonBody(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    "cache-control": "no-store",
  });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(html)),
  });
  res.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, content: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${content}</body></html>`;
}

function consentPage(
  flavour: Flavour,
  action: string,
  params: URLSearchParams,
  scopes: string[],
  user: SimUser,
): string {
  const hidden = [...params.entries()]
    .filter(([name]) => name !== "decision")
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("\n");
  const scopeItems = scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join("");
  const product = flavour === "cloud" ? "Atlassian" : "Confluence Data Center";
  return page(
    `${product}: authorize app`,
    `<p id="who">Signed in as ${escapeHtml(user.displayName)}</p>
<p>The app <strong id="client">${escapeHtml(params.get("client_id") ?? "")}</strong> wants to:</p>
<ul id="scopes">${scopeItems}</ul>
<form method="POST" action="${escapeHtml(action)}">
${hidden}
<button type="submit" name="decision" value="accept" id="accept">Accept</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form>`,
  );
}
