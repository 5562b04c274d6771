/**
 * The Confluence simulator's programmatic contract. Tests, `npm run demo` and the benchmarks start it
 * with startSimulator() (sim/index.ts) and drive it through these knobs.
 *
 * Every origin is a separate loopback HTTP server (separate port), so cross-origin behaviour is real.
 */

export interface SimOrigins {
  /** Cloud site, e.g. http://127.0.0.1:41001 — serves /wiki/api/v2/..., /wiki/rest/api/..., /_edge/tenant_info */
  site: string;
  /** The API gateway (stands in for https://api.atlassian.com): /ex/confluence/{cloudId}/wiki/..., /oauth/token/accessible-resources */
  gateway: string;
  /** The OAuth server (stands in for https://auth.atlassian.com): /authorize, /oauth/token */
  auth: string;
  /** Media host for attachment binaries (stands in for api.media.atlassian.com) */
  media: string;
  /** Data Center origin, e.g. http://127.0.0.1:41005 */
  dcOrigin: string;
  /** Data Center base URL including its context path, e.g. http://127.0.0.1:41005/confluence */
  dc: string;
  /** Jira Data Center origin (a server of its own, as Jira DC is) */
  jiraDcOrigin: string;
  /** Jira Data Center base URL including its context path (settings.jiraDcContextPath), e.g. http://127.0.0.1:41006/jira */
  jiraDc: string;
}

export interface SimUser {
  accountId: string;
  email: string;
  displayName: string;
  /** DC username */
  username: string;
  userKey: string;
}

/** The credentials the simulator accepts out of the box (obvious fakes). */
export interface SimCredentials {
  cloud: {
    email: string;
    /** classic API token: Basic email:token on the site */
    apiToken: string;
    /** scoped API token with granular scopes: Basic email:token only through the gateway */
    scopedToken: string;
    scopedTokenScopes: string[];
    /** scoped token with classic scopes (v1 works, v2 gives scope mismatch) */
    scopedTokenClassic: string;
    /** an expired classic token */
    expiredApiToken: string;
    /** the account's password: Basic with it gets "Basic authentication with passwords is deprecated" (401) */
    accountPassword?: string;
  };
  dc: {
    username: string;
    password: string;
    /** personal access token: Bearer only */
    pat: string;
    /** a valid session cookie value for JSESSIONID */
    sessionCookie: string;
  };
  /** Jira Data Center: its own accounts' secrets (Jira PATs are not Confluence's); the user is users.dc */
  jiraDc: {
    username: string;
    password: string;
    /** Jira personal access token: Bearer only */
    pat: string;
  };
  oauth: {
    clientId: string;
    clientSecret: string;
    /**
     * The app's callback URL(s) as entered in the developer console. Atlassian matches redirect_uri
     * EXACTLY, port included (github/copilot-cli #4795: random loopback ports are refused).
     */
    redirectUris: string[];
    /**
     * The scopes "added to the app" in the developer console (Permissions). A consent request for any other
     * scope (unknown ones included) stops on Atlassian's own page. Default: every Confluence scope + offline_access.
     */
    enabledScopes?: string[];
  };
}

export interface RequestLogEntry {
  /** which server: "site" | "gateway" | "auth" | "media" | "dc" */
  server: keyof Omit<SimOrigins, "dcOrigin" | "jiraDcOrigin">;
  method: string;
  origin: string;
  /** path with query string */
  path: string;
  /** request headers, lower-case names, exactly as received (tests assert what was sent where) */
  headers: Record<string, string>;
  /** request body as text (bodies over 64 KiB are truncated) */
  body: string;
  status: number;
  at: number;
}

export interface RateLimitKnob {
  /** which server(s); default all */
  server?: RequestLogEntry["server"];
  /** answer the next N matching requests with 429 (then behave normally) */
  count?: number;
  /** or: allow this many requests per second and 429 the rest */
  requestsPerSecond?: number;
  /**
   * Retry-After value to send as given ("0", "-5", "99999", an HTTP date); omit for no header. A list is
   * used in turn, one value per 429 (`["1", "2"]`: a storm whose waits vary between 1 and 2 s).
   */
  retryAfter?: string | readonly string[];
  /** add X-RateLimit-* headers (Limit, Remaining, Reset, NearLimit) */
  rateLimitHeaders?: boolean;
  /** only requests whose path matches */
  pathPattern?: RegExp;
}

export type FaultKind =
  | { type: "status"; status: number; retryAfter?: string; body?: string; contentType?: string }
  /** destroy the socket without a response */
  | { type: "reset" }
  /** wait this long before answering */
  | { type: "delay"; ms: number }
  /**
   * handle the request (the write is made), then destroy the socket instead of answering: the answer
   * is lost in transit, the case where a client may repeat a write the server already performed
   */
  | { type: "reset-after" }
  /** handle the request (the write is made), then hold the answer this long (past the client's timeout) */
  | { type: "delay-after"; ms: number }
  /** send a 200 with a JSON body cut in half */
  | { type: "truncated-json" }
  /** an HTML page (SSO login page or proxy error), status default 200 */
  | { type: "html"; status?: number; body?: string }
  /**
   * run this first (e.g. another writer's request), then answer the request normally: how tests make
   * a second writer land between a client's read and its write
   */
  | { type: "before"; run: () => void | Promise<void> };

export interface FaultKnob {
  server?: RequestLogEntry["server"];
  method?: string;
  pathPattern?: RegExp;
  /** how many matching requests get the fault (default 1; Infinity for all) */
  count?: number;
  fault: FaultKind;
}

/** One entry of Jira DC's token list: never the token itself. */
export interface SimPatToken {
  id: number;
  name: string;
  createdAt: string;
  /** absent: the token never expires */
  expiringAt?: string;
}

export interface SimSettings {
  /** Cloud site allows anonymous access (public site): bad credentials act as anonymous. Default false. */
  cloudAnonymousAccess: boolean;
  /** DC allows anonymous access: bad credentials answer 200 anonymous with X-Seraph-LoginReason: AUTHENTICATED_FAILED. */
  dcAnonymousAccess: boolean;
  /** failed logins before the CAPTCHA lock-out (AUTHENTICATION_DENIED) on DC; default 3 */
  captchaAfterFailures: number;
  /** latency added to every response, ms */
  latencyMs: number;
  /** DC context path, default "/confluence" ("" for root) */
  dcContextPath: string;
  /** Jira DC context path, default "/jira" ("" for root) */
  jiraDcContextPath: string;
  /** DC rejects X-Atlassian-Token: nocheck with 403 */
  dcRejectNocheck: boolean;
  /** OAuth access-token lifetime in seconds (default 3600) */
  oauthAccessTokenTtl: number;
  /** Basic auth disabled on the Cloud site by an admin (only OAuth / service accounts work) */
  cloudBasicAuthDisabled: boolean;
  /** Basic auth disabled on Data Center by an admin: Basic gets 403, PATs (Bearer) still work */
  dcBasicAuthDisabled: boolean;
  /**
   * Accept a registered `http://127.0.0.1/<path>` callback on any port (RFC 8252 §7.3). Atlassian does NOT
   * (github/copilot-cli #4795), so the default is false; tests driving a browser to a random port set it.
   */
  oauthAnyLoopbackPort: boolean;
  /**
   * The Jira DC user's personal access tokens as `GET /rest/pat/latest/tokens` lists them (sim/jira.ts), or
   * "unsupported" for a Jira older than 8.14 (404). Default: one token, expiring 2027-03-01.
   */
  jiraPatTokens: SimPatToken[] | "unsupported";
  /** the organisation has Atlassian Backup and Restore (backup-management API); default true */
  backupAndRestore: boolean;
  /** reads of a backup policy before an activated backup completes (sim/backup.ts); default 2 */
  backupPollsToComplete: number;
  /**
   * A directory for uploaded attachment bytes: multipart uploads are then read as they arrive and their
   * files written there, and downloads stream from there, so a 1 GiB file never sits in the simulator's
   * memory (the benchmarks). "" (default): uploads are buffered in memory like every other body.
   */
  uploadSpoolDir?: string | undefined;
  /**
   * Stamp X-RateLimit-Limit/Remaining/Reset/NearLimit on every site and gateway answer (what Atlassian sends
   * on ordinary answers when a quota applies, §2); NearLimit is true under 20 % left. Default: none.
   */
  rateLimitHeadroom?: { limit: number; remaining: number } | undefined;
  /** a generated space seeded on start and on reset (sim/bulk.ts): the export benchmark's 500 pages */
  bulkSpace?: { key: string; pages: number; attachments: number } | undefined;
}

export interface Simulator {
  origins: SimOrigins;
  cloudId: string;
  /** the organisation and backup policy of the backup-management API (on the gateway origin) */
  backup: { orgId: string; policyId: string };
  credentials: SimCredentials;
  users: { cloud: SimUser; dc: SimUser };
  settings: SimSettings;
  /** Every request received by every server, in order. */
  log: RequestLogEntry[];
  /** The Bearer-token registry (shared with sim/oauth.ts); tests may grant tokens directly. */
  tokens: SimTokenRegistry;
  clearLog(): void;
  rateLimit(knob: RateLimitKnob): void;
  fault(knob: FaultKnob): void;
  /**
   * Remove every rate-limit and fault knob and restore the settings given at start; also re-seed the content,
   * clear the request log, expired tokens and DC failed-login counts. The Bearer registry is kept.
   */
  reset(): void;
  /** Revoke or expire a token so later requests with it fail as Atlassian does. */
  expireToken(token: string): void;
  stop(): Promise<void>;
}

export interface SimOptions {
  /** bind to "127.0.0.1" (default) or "::1" */
  host?: string;
  settings?: Partial<SimSettings>;
  /** how the simulator waits (latencyMs, delay faults); tests inject a recorder instead of real time */
  sleep?: (ms: number) => Promise<void>;
  /** the simulator's clock in ms (requestsPerSecond windows, Bearer expiry, media-token expiry) */
  now?: () => number;
}

/** A Bearer token the simulator accepts (issued by the OAuth server module, sim/oauth.ts). */
export interface BearerGrant {
  token: string;
  kind: "oauth" | "client-credentials" | "dc-oauth";
  user: SimUser;
  scopes: string[];
  /** ms since epoch */
  expiresAt: number;
}

export interface SimTokenRegistry {
  grant(grant: BearerGrant): void;
  lookup(token: string): BearerGrant | undefined;
  revoke(token: string): void;
}

/** What the simulator hands the OAuth module (sim/oauth.ts) when it mounts it. */
export interface OAuthRouteContext {
  origins: SimOrigins;
  settings: SimSettings;
  credentials: SimCredentials;
  users: { cloud: SimUser; dc: SimUser };
  cloudId: string;
  tokens: SimTokenRegistry;
  /** the simulator's clock (SimOptions.now): access tokens expire on it */
  now?: () => number;
}

/** A route handler: resolves true when it answered the request. `body` is the full request body. */
export type SimHandler = (
  req: import("node:http").IncomingMessage,
  res: import("node:http").ServerResponse,
  url: URL,
  body: Buffer,
) => boolean | Promise<boolean>;
