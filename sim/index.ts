/**
 * The Confluence simulator: five loopback HTTP servers (site, gateway, auth, media, dc) over one in-memory
 * Confluence, with Atlassian's auth rules, error envelopes and pagination traps, plus knobs for rate limits,
 * faults and latency. Contract: ./types.ts. Facts: confluence-api.md (§ numbers in comments).
 */

import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AuthOutcome,
  type AuthState,
  authenticateDc,
  authenticateGateway,
  authenticateSite,
  dcScopeAllows,
  parseAuthorization,
  scopeMismatchRefusal,
} from "./auth-rules.js";
import { BACKUP_ORG_ID, BACKUP_POLICY_ID, createBackupSim, handleBackup } from "./backup.js";
import { seedBulkSpace } from "./bulk.js";
import {
  type CloudExtra,
  compiledCloudRoutes,
  deprecationHeaders,
  goneBody,
  scopesSatisfied,
} from "./cloud.js";
import { compiledDcRoutes } from "./dc.js";
import type { AttachmentRecord } from "./fixtures.js";
import { cloudUser, createCredentials, dcUser } from "./fixtures.js";
import { jiraAnswer, jiraRoute, jiraScopesSatisfied } from "./jira.js";
import { createOAuthRoutes } from "./oauth.js";
import {
  type MultipartPart,
  notFoundHtml,
  sendEmpty,
  sendJson,
  sendText,
  spoolMultipart,
  v1ErrorBody,
  v2ErrorBody,
} from "./respond.js";
import { matchRoute, type Principal, type RouteResult } from "./router.js";
import { ContentStore } from "./store.js";
import type {
  BearerGrant,
  FaultKnob,
  OAuthRouteContext,
  RateLimitKnob,
  RequestLogEntry,
  SimOptions,
  SimOrigins,
  SimSettings,
  SimTokenRegistry,
  SimUser,
  Simulator,
} from "./types.js";
import type { V1Flavor } from "./v1.js";

export type { SimOptions, Simulator } from "./types.js";

type ServerName = RequestLogEntry["server"];

export const defaultSettings: SimSettings = {
  cloudAnonymousAccess: false,
  dcAnonymousAccess: false,
  captchaAfterFailures: 3,
  latencyMs: 0,
  dcContextPath: "/confluence",
  jiraDcContextPath: "/jira",
  dcRejectNocheck: false,
  oauthAccessTokenTtl: 3600,
  cloudBasicAuthDisabled: false,
  dcBasicAuthDisabled: false,
  oauthAnyLoopbackPort: false,
  jiraPatTokens: [
    {
      id: 1,
      name: "confl",
      createdAt: "2026-12-01T09:00:00.000+0000",
      expiringAt: "2027-03-01T09:00:00.000+0000",
    },
  ],
  backupAndRestore: true,
  backupPollsToComplete: 2,
  uploadSpoolDir: "",
};

const LOG_BODY_LIMIT = 64 * 1024;

interface RateLimitState {
  knob: RateLimitKnob;
  remaining: number;
  hits: number[];
  /** 429s sent so far (picks the next value of a Retry-After list) */
  refused: number;
}

interface FaultState {
  knob: FaultKnob;
  remaining: number;
}

function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Header names lower-cased, values as sent (duplicates joined with ", "), from the raw header list. */
/** Multipart uploads read straight to disk (settings.uploadSpoolDir), by request. */
const spooledParts = new WeakMap<IncomingMessage, MultipartPart[]>();

/** Sends a spooled file from disk, streamed. */
function sendSpooled(
  res: ServerResponse,
  file: { path: string; size: number },
  headers: Record<string, string>,
): void {
  res.writeHead(200, { ...headers, "content-length": String(file.size) });
  const stream = createReadStream(file.path);
  stream.on("error", () => res.destroy());
  stream.pipe(res);
}

function receivedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function originFor(host: string, port: number): string {
  return host.includes(":") ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

function send(res: ServerResponse, result: RouteResult, extraHeaders: Record<string, string> = {}): void {
  const headers = { ...extraHeaders, ...result.headers };
  if (result.json !== undefined) sendJson(res, result.status, result.json, headers);
  else if (result.text !== undefined) sendText(res, result.status, result.text, result.contentType, headers);
  else if (result.bytes !== undefined) {
    res.writeHead(result.status, {
      "content-type": result.contentType ?? "application/octet-stream",
      "content-length": String(result.bytes.length),
      ...headers,
    });
    res.end(result.bytes);
  } else sendEmpty(res, result.status, headers);
}

/** Start every origin on loopback (ports chosen by the OS) and resolve once all listen. */
export async function startSimulator(options: SimOptions = {}): Promise<Simulator & SimulatorExtras> {
  const host = options.host ?? "127.0.0.1";
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? (() => Date.now());
  const initialSettings: SimSettings = { ...defaultSettings, ...options.settings };
  const settings: SimSettings = { ...initialSettings };
  const credentials = createCredentials();
  const users = { cloud: { ...cloudUser }, dc: { ...dcUser } };
  const cloudId = randomUUID();
  const store = new ContentStore();
  if (settings.bulkSpace) seedBulkSpace(store, settings.bulkSpace);
  const log: RequestLogEntry[] = [];
  const grants = new Map<string, BearerGrant>();
  const tokens: SimTokenRegistry = {
    grant: (grant) => void grants.set(grant.token, { ...grant }),
    lookup: (token) => grants.get(token),
    revoke: (token) => void grants.delete(token),
  };
  const authState: AuthState = {
    settings,
    credentials,
    users,
    tokens,
    expired: new Set(),
    dcFailures: new Map(),
    now,
  };
  let rateLimits: RateLimitState[] = [];
  let faults: FaultState[] = [];
  const mediaSecret = randomBytes(32);
  const mediaClientId = randomUUID();

  const servers: Record<ServerName, Server> = {
    site: createServer(),
    gateway: createServer(),
    auth: createServer(),
    media: createServer(),
    dc: createServer(),
    jiraDc: createServer(),
  };
  const ports: Partial<Record<ServerName, number>> = {};
  for (const name of Object.keys(servers) as ServerName[]) ports[name] = await listen(servers[name], host);
  const dcOrigin = originFor(host, ports.dc!);
  const jiraDcOrigin = originFor(host, ports.jiraDc!);
  const origins = {
    site: originFor(host, ports.site!),
    gateway: originFor(host, ports.gateway!),
    auth: originFor(host, ports.auth!),
    media: originFor(host, ports.media!),
    dcOrigin,
    jiraDcOrigin,
  } as SimOrigins;
  Object.defineProperty(origins, "jiraDc", {
    enumerable: true,
    get: () => `${jiraDcOrigin}${settings.jiraDcContextPath}`,
  });
  // `dc` follows settings.dcContextPath, which tests may change after start.
  Object.defineProperty(origins, "dc", {
    enumerable: true,
    get: () => `${dcOrigin}${settings.dcContextPath}`,
  });

  const oauthContext: OAuthRouteContext = { origins, settings, credentials, users, cloudId, tokens, now };
  const oauth = createOAuthRoutes(oauthContext);

  const cloudFlavor: V1Flavor = {
    product: "cloud",
    base: `${origins.site}/wiki`,
    context: "/wiki",
    searchCap: 50,
    listCap: 100,
    store,
    author: users.cloud,
    userJson: (user) => cloudUserJson(origins.site, user),
    anonymousJson: () => cloudAnonymousJson(origins.site),
  };
  const dcFlavor = (): V1Flavor => ({
    product: "dc",
    base: origins.dc,
    context: settings.dcContextPath,
    searchCap: 100,
    listCap: 100,
    store,
    author: users.dc,
    userJson: (user) => dcUserJson(origins.dc, user),
    anonymousJson: () => dcAnonymousJson(origins.dc),
  });

  function signMedia(fileId: string, expiresAt: number): string {
    return createHmac("sha256", mediaSecret).update(`${fileId}:${expiresAt}`).digest("base64url");
  }

  function mediaUrl(attachment: AttachmentRecord): string {
    const expiresAt = now() + 15 * 60_000;
    const token = `${expiresAt}.${signMedia(attachment.fileId, expiresAt)}`;
    return `${origins.media}/file/${attachment.fileId}/binary?token=${token}&client=${mediaClientId}&name=${encodeURIComponent(attachment.title)}`;
  }

  // ---- knobs -------------------------------------------------------------------------------------------------
  function takeFault(server: ServerName, method: string, path: string): FaultKnob["fault"] | undefined {
    for (const state of faults) {
      const knob = state.knob;
      if (state.remaining <= 0) continue;
      if (knob.server && knob.server !== server) continue;
      if (knob.method && knob.method.toUpperCase() !== method) continue;
      if (knob.pathPattern && !knob.pathPattern.test(path)) continue;
      state.remaining--;
      return knob.fault;
    }
    return undefined;
  }

  function takeRateLimit(server: ServerName, path: string): RateLimitState | undefined {
    const at = now();
    for (const state of rateLimits) {
      const knob = state.knob;
      if (knob.server && knob.server !== server) continue;
      if (knob.pathPattern && !knob.pathPattern.test(path)) continue;
      if (knob.requestsPerSecond !== undefined) {
        state.hits = state.hits.filter((hit) => at - hit < 1000);
        if (state.hits.length >= knob.requestsPerSecond) return state;
        state.hits.push(at);
        continue;
      }
      if (state.remaining > 0) {
        state.remaining--;
        return state;
      }
    }
    return undefined;
  }

  function rateLimited(res: ServerResponse, state: RateLimitState, server: ServerName): void {
    const knob = state.knob;
    const headers: Record<string, string> = {};
    const retryAfter =
      typeof knob.retryAfter === "string"
        ? knob.retryAfter
        : knob.retryAfter?.[state.refused % Math.max(1, knob.retryAfter.length)];
    state.refused++;
    if (retryAfter !== undefined) headers["retry-after"] = retryAfter;
    if (knob.rateLimitHeaders && server === "dc") {
      // DC's admin-configured token bucket (confluence.atlassian.com _ratelimiting_httpheaders, §2)
      headers["x-ratelimit-limit"] = String(knob.requestsPerSecond ?? 100);
      headers["x-ratelimit-remaining"] = "0";
      headers["x-ratelimit-interval-seconds"] = "1";
      headers["x-ratelimit-fillrate"] = String(knob.requestsPerSecond ?? 10);
    } else if (knob.rateLimitHeaders) {
      const reset = new Date(Math.ceil((now() + 1) / 60_000) * 60_000).toISOString();
      headers["x-ratelimit-limit"] = String(knob.requestsPerSecond ?? 100);
      headers["x-ratelimit-remaining"] = "0";
      // yyyy-MM-ddTHH:mmZ (JRACLOUD-69262, §2)
      headers["x-ratelimit-reset"] = `${reset.slice(0, 16)}Z`;
      headers["x-ratelimit-nearlimit"] = "true";
      headers["ratelimit-reason"] = "confluence-quota-tenant-based";
    }
    sendJson(res, 429, { message: "Rate limit exceeded." }, headers);
  }

  async function applyFault(
    fault: FaultKnob["fault"],
    req: IncomingMessage,
    res: ServerResponse,
    entry: RequestLogEntry,
  ): Promise<boolean> {
    switch (fault.type) {
      case "delay":
        await sleep(fault.ms);
        return false;
      case "before":
        await fault.run();
        return false;
      case "reset":
        entry.status = 0;
        req.socket.destroy();
        return true;
      case "reset-after":
      case "delay-after": {
        // The handler runs as usual and changes the store; only its answer is lost or late.
        const write = res.write.bind(res) as (chunk: unknown) => boolean;
        const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
        const held: unknown[] = [];
        res.write = ((chunk: unknown) => held.push(chunk) > 0) as typeof res.write;
        res.end = ((...args: unknown[]) => {
          if (fault.type === "reset-after") {
            entry.status = 0;
            req.socket.destroy();
          } else
            void sleep(fault.ms).then(() => {
              for (const chunk of held) write(chunk);
              if (!res.destroyed) end(...args);
            });
          return res;
        }) as typeof res.end;
        return false;
      }
      case "status": {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
        const body =
          fault.body ??
          JSON.stringify({ statusCode: fault.status, message: `Simulated ${fault.status} fault` });
        sendText(res, fault.status, body, fault.contentType ?? "application/json", headers);
        return true;
      }
      case "truncated-json": {
        const full = JSON.stringify({
          results: [{ id: "65536", title: "Documentation Home" }],
          _links: { base: `${origins.site}/wiki` },
        });
        sendText(res, 200, full.slice(0, Math.floor(full.length / 2)), "application/json");
        return true;
      }
      case "html": {
        const body =
          fault.body ??
          '<!DOCTYPE html><html><head><title>Log in with Atlassian account</title></head><body><form action="/login" method="post"><input name="username"><input type="password" name="password"></form></body></html>';
        sendText(res, fault.status ?? 200, body, "text/html;charset=UTF-8");
        return true;
      }
    }
  }

  // ---- request pipeline ---------------------------------------------------------------------------------------
  type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => Promise<void> | void;

  function serve(name: ServerName, handler: Handler): void {
    const origin = name === "dc" ? dcOrigin : name === "jiraDc" ? jiraDcOrigin : origins[name];
    servers[name].on("request", (req: IncomingMessage, res: ServerResponse) => {
      void (async () => {
        const method0 = (req.method ?? "GET").toUpperCase();
        const spool =
          !!settings.uploadSpoolDir &&
          (method0 === "POST" || method0 === "PUT") &&
          /^multipart\/form-data/i.test(req.headers["content-type"] ?? "");
        let body: Buffer = Buffer.alloc(0);
        if (spool) {
          const parts = await spoolMultipart(req, req.headers["content-type"], settings.uploadSpoolDir!);
          if (parts) spooledParts.set(req, parts);
        } else body = await readBody(req);
        const path = req.url ?? "/";
        const method = (req.method ?? "GET").toUpperCase();
        const entry: RequestLogEntry = {
          server: name,
          method,
          origin,
          path,
          headers: receivedHeaders(req),
          body: body.subarray(0, LOG_BODY_LIMIT).toString("utf8"),
          status: 0,
          at: now(),
        };
        log.push(entry);
        res.on("finish", () => {
          entry.status = res.statusCode;
        });
        if (settings.latencyMs > 0) await sleep(settings.latencyMs);
        const fault = takeFault(name, method, path);
        if (fault && (await applyFault(fault, req, res, entry))) return;
        const limit = takeRateLimit(name, path);
        if (limit) return rateLimited(res, limit, name);
        const url = new URL(path, origin);
        if (name === "site" || name === "gateway") {
          // Atlassian's edge stamps every Cloud answer; clients quote atl-traceid to support (§1.14)
          res.setHeader("atl-traceid", randomBytes(16).toString("hex"));
          res.setHeader("x-arequestid", randomUUID());
          const headroom = settings.rateLimitHeadroom;
          if (headroom) {
            // the quota headers Atlassian stamps on ordinary answers (§2): limit, what is left, the next reset
            const reset = new Date(Math.ceil((now() + 1) / 3_600_000) * 3_600_000).toISOString();
            res.setHeader("x-ratelimit-limit", String(headroom.limit));
            res.setHeader("x-ratelimit-remaining", String(headroom.remaining));
            res.setHeader("x-ratelimit-reset", `${reset.slice(0, 16)}Z`);
            res.setHeader("x-ratelimit-nearlimit", String(headroom.remaining < headroom.limit * 0.2));
          }
        }
        await handler(req, res, url, body);
      })().catch((error: unknown) => {
        if (!res.headersSent) {
          sendJson(res, 500, { statusCode: 500, message: `Simulator error: ${String(error)}` });
        } else res.destroy();
      });
    });
  }

  async function runCloudRoute(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
    apiPath: string,
    principal: Principal,
    via: "site" | "gateway",
    extraHeaders: Record<string, string>,
  ): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const match = matchRoute(compiledCloudRoutes, method, apiPath);
    if (!match) {
      const notFound = apiPath.startsWith("/wiki/api/v2/")
        ? v2ErrorBody(404, "NOT_FOUND", "Not Found")
        : { statusCode: 404, message: `null for uri: ${url.href}` };
      return sendJson(res, 404, notFound, extraHeaders);
    }
    if ("methodNotAllowed" in match) {
      return sendJson(res, 405, { statusCode: 405, message: "HTTP 405 Method Not Allowed" }, extraHeaders);
    }
    const route = match.route;
    if (via === "gateway") {
      if (principal.kind === "user" && principal.scopes && !scopesSatisfied(route, principal.scopes)) {
        return send(res, scopeMismatchRefusal(), extraHeaders);
      }
      if (route.deprecated) return sendJson(res, 410, goneBody, extraHeaders);
    }
    const extra: CloudExtra = {
      store,
      flavor: cloudFlavor,
      siteOrigin: origins.site,
      mediaUrl,
      via,
      cloudId,
    };
    const result = await route.handle({
      method,
      url,
      params: match.params,
      body,
      headers: req.headers,
      principal,
      parts: spooledParts.get(req),
      ...extra,
    });
    const headers =
      via === "site" && route.deprecated ? { ...extraHeaders, ...deprecationHeaders } : extraHeaders;
    send(res, result, headers);
  }

  function refuseOr(outcome: AuthOutcome, res: ServerResponse): Principal | undefined {
    if ("refusal" in outcome) {
      send(res, outcome.refusal);
      return undefined;
    }
    return outcome.principal;
  }

  serve("site", async (req, res, url, body) => {
    const path = url.pathname;
    if (path === "/_edge/tenant_info") return sendJson(res, 200, { cloudId });
    const jira = jiraRoute("cloud", (req.method ?? "GET").toUpperCase(), path);
    if (jira) {
      // Jira on the same site and credential (§3.3): a classic token only; any other caller gets Jira's
      // "Client must be authenticated" (serverInfo answers anyone)
      const outcome = authenticateSite(req, authState, origins.site);
      const principal: Principal =
        "principal" in outcome ? outcome.principal : { kind: "anonymous" as const };
      const answer = jiraAnswer("cloud", jira, url, principal, origins.site);
      return send(res, answer, {
        ...(answer.status === 401 ? { "www-authenticate": `OAuth realm="${origins.site}"` } : {}),
      });
    }
    if (path.startsWith("/wiki/download/attachments/")) {
      // CHANGE-2735: the servlet refuses API-token Basic auth with an OAuth challenge (§1.7)
      return sendText(res, 401, "Client must be authenticated to access this resource.", "text/plain", {
        "www-authenticate": `OAuth realm="${origins.site}/wiki"`,
      });
    }
    if (!path.startsWith("/wiki/")) return sendText(res, 404, notFoundHtml(), "text/html;charset=utf-8");
    const principal = refuseOr(authenticateSite(req, authState, origins.site), res);
    if (!principal) return;
    await runCloudRoute(req, res, url, body, path, principal, "site", {});
  });

  const backupSim = createBackupSim();
  serve("gateway", async (req, res, url, body) => {
    const path = url.pathname;
    if (path.startsWith("/public/backup-management/")) {
      return send(res, handleBackup(req, url, authState, backupSim, { cloudId, origin: origins.site }), {});
    }
    if (path === "/oauth/token/accessible-resources") {
      const outcome = authenticateGateway(req, authState);
      if (
        "refusal" in outcome ||
        outcome.principal.kind !== "user" ||
        outcome.principal.credential !== "bearer"
      ) {
        return sendJson(res, 401, { code: 401, message: "Unauthorized" });
      }
      return sendJson(res, 200, [
        {
          id: cloudId,
          name: "simulated-site",
          url: origins.site,
          scopes: outcome.principal.scopes ?? [],
          avatarUrl: `${origins.site}/_sim/avatar.png`,
        },
      ]);
    }
    const match = /^\/ex\/(confluence|jira)\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) return sendJson(res, 404, { code: 404, message: "Not Found" });
    const [, product, id, rest = ""] = match;
    if (id !== cloudId) return sendJson(res, 404, { code: 404, message: "Not Found" });
    const principal = refuseOr(authenticateGateway(req, authState), res);
    if (principal?.kind !== "user") return;
    if (product === "jira") {
      const jira = jiraRoute("cloud", (req.method ?? "GET").toUpperCase(), rest);
      if (!jira) return sendJson(res, 404, { errorMessages: ["Not Found"], errors: {} });
      // the gateway checks the token's scopes before routing, for Jira as for Confluence
      if (principal.scopes && !jiraScopesSatisfied(jira, principal.scopes))
        return send(res, scopeMismatchRefusal());
      return send(res, jiraAnswer("cloud", jira, url, principal, `${origins.gateway}/ex/jira/${cloudId}`));
    }
    // Real gateways serve product paths without /wiki too: a scoped token reached
    // /ex/confluence/{cloudId}/rest/api/space "and it works!" (Atlassian Community, "Scoped API Token returns
    // Unauthorized for simple query", 2025-06; atlassian-python-api #1546). confl still sends /wiki.
    const apiPath = rest.startsWith("/wiki/") ? rest : `/wiki${rest}`;
    await runCloudRoute(req, res, url, body, apiPath, principal, "gateway", {});
  });

  serve("auth", async (req, res, url, body) => {
    if (!(await oauth.auth(req, res, url, body))) sendJson(res, 404, { error: "not_found" });
  });

  serve("media", (req, res, url) => {
    const match = /^\/file\/([^/]+)\/binary$/.exec(url.pathname);
    if (!match || req.method !== "GET") return sendJson(res, 404, { error: "not found" });
    const fileId = decodeURIComponent(match[1]!);
    const [expiresText = "", signature = ""] = (url.searchParams.get("token") ?? "").split(".");
    const expiresAt = Number(expiresText);
    const expected = Buffer.from(signMedia(fileId, expiresAt));
    const given = Buffer.from(signature);
    const valid =
      Number.isFinite(expiresAt) &&
      expiresAt > now() &&
      given.length === expected.length &&
      timingSafeEqual(given, expected);
    if (!valid) return sendJson(res, 401, { error: "Unauthorized", message: "Invalid or expired token" });
    const file = store.media.get(fileId);
    if (!file) return sendJson(res, 404, { error: "not found" });
    const headers = {
      "content-type": file.mediaType,
      "content-disposition": `attachment; filename="${encodeURIComponent(url.searchParams.get("name") ?? file.title)}"`,
    };
    if (file.spooled) return sendSpooled(res, file.spooled, headers);
    res.writeHead(200, { ...headers, "content-length": String(file.bytes.length) });
    res.end(file.bytes);
  });

  serve("dc", async (req, res, url, body) => {
    const context = settings.dcContextPath;
    const path = url.pathname;
    if (context !== "" && path !== context && !path.startsWith(`${context}/`)) {
      return sendText(res, 404, notFoundHtml(), "text/html;charset=utf-8");
    }
    const sub = path.slice(context.length);
    if (sub === "/status") return sendJson(res, 200, { state: "RUNNING" });
    if (sub.startsWith("/rest/oauth2/latest/")) {
      if (!(await oauth.dc(req, res, url, body)))
        sendText(res, 404, notFoundHtml(), "text/html;charset=utf-8");
      return;
    }
    // Only REST and the download servlet need a login; anything else (a Cloud probe such as
    // /_edge/tenant_info or /wiki/api/v2/...) is a plain 404 page, as on a real DC.
    if (!sub.startsWith("/rest/") && !sub.startsWith("/download/attachments/")) {
      return sendText(res, 404, notFoundHtml(), "text/html;charset=utf-8");
    }
    const outcome = authenticateDc(req, authState, dcOrigin);
    const username =
      "principal" in outcome && outcome.principal.kind === "user"
        ? outcome.principal.user.username
        : "anonymous";
    const headers: Record<string, string> = {
      "x-ausername": username,
      ...("headers" in outcome ? outcome.headers : {}),
    };
    if ("refusal" in outcome) return send(res, outcome.refusal, headers);
    const principal = outcome.principal;
    // `nocheck` is deprecated; some DC versions refuse it outright (mcp-atlassian #1207, §1.7)
    if (settings.dcRejectNocheck && req.headers["x-atlassian-token"] === "nocheck") {
      return sendText(res, 403, "XSRF check failed", "text/plain", headers);
    }
    if (principal.kind === "user" && principal.credential === "bearer" && principal.scopes) {
      if (!dcScopeAllows(principal.scopes, (req.method ?? "GET").toUpperCase())) {
        return sendJson(
          res,
          403,
          v1ErrorBody(403, "The access token does not have the required scope"),
          headers,
        );
      }
    }
    const download = /^\/download\/attachments\/([^/]+)\/([^/]+)$/.exec(sub);
    if (download) {
      const attachment = store
        .attachmentsOf(download[1]!)
        .find((candidate) => candidate.title === decodeURIComponent(download[2]!));
      if (principal.kind !== "user" || !attachment)
        return sendText(res, 404, notFoundHtml(), "text/html", headers);
      if (attachment.spooled)
        return sendSpooled(res, attachment.spooled, { ...headers, "content-type": attachment.mediaType });
      return send(res, { status: 200, bytes: attachment.bytes, contentType: attachment.mediaType }, headers);
    }
    if (!sub.startsWith("/rest/api/"))
      return sendText(res, 404, notFoundHtml(), "text/html;charset=utf-8", headers);
    const method = (req.method ?? "GET").toUpperCase();
    const match = matchRoute(compiledDcRoutes, method, sub);
    if (!match) return sendJson(res, 404, v1ErrorBody(404, `null for uri: ${url.href}`), headers);
    if ("methodNotAllowed" in match) {
      return sendJson(res, 405, { statusCode: 405, message: "HTTP 405 Method Not Allowed" }, headers);
    }
    const flavor = dcFlavor();
    const result = await match.route.handle({
      method,
      url,
      params: match.params,
      body,
      headers: req.headers,
      principal,
      parts: spooledParts.get(req),
      flavor,
      dcBase: origins.dc,
    });
    send(res, result, headers);
  });

  // Jira Data Center (issue 13): its own server, PATs and passwords of its own, Seraph headers on failure, and a
  // CAPTCHA after settings.captchaAfterFailures failed Basic logins: 403 with X-Authentication-Denied-Reason
  // (Jira's LoginReason AUTHENTICATION_DENIED, "The user is not allowed to even attempt a login").
  const jiraFailures = new Map<string, number>();
  serve("jiraDc", (req, res, url) => {
    const context = settings.jiraDcContextPath;
    const path = url.pathname;
    if (context !== "" && path !== context && !path.startsWith(`${context}/`))
      return sendText(res, 404, notFoundHtml(), "text/html;charset=utf-8");
    const sub = path.slice(context.length);
    const route = jiraRoute("dc", (req.method ?? "GET").toUpperCase(), sub);
    if (!route) return sendJson(res, 404, { errorMessages: ["null for uri: " + url.href], errors: {} });
    const jira = credentials.jiraDc;
    const parsed = parseAuthorization(req);
    const base = origins.jiraDc;
    const failed = (): void =>
      sendJson(
        res,
        401,
        {
          errorMessages: ["You are not authenticated. Authentication required to perform this operation."],
          errors: {},
        },
        { "x-seraph-loginreason": "AUTHENTICATED_FAILED", "x-ausername": "anonymous" },
      );
    let principal: Principal = { kind: "anonymous" };
    if (parsed.scheme === "bearer") {
      if (parsed.token !== jira.pat || authState.expired.has(parsed.token)) return failed();
      principal = { kind: "user", user: users.dc, credential: "pat" };
    } else if (parsed.scheme === "basic") {
      const failures = jiraFailures.get(parsed.user) ?? 0;
      if (failures >= settings.captchaAfterFailures) {
        return sendJson(
          res,
          403,
          { errorMessages: ["CAPTCHA_CHALLENGE"], errors: {} },
          {
            "x-seraph-loginreason": "AUTHENTICATION_DENIED",
            "x-authentication-denied-reason": `CAPTCHA_CHALLENGE; login-url=${base}/login.jsp`,
          },
        );
      }
      if (parsed.user !== jira.username || parsed.secret !== jira.password) {
        jiraFailures.set(parsed.user, failures + 1);
        return failed();
      }
      jiraFailures.delete(parsed.user);
      principal = { kind: "user", user: users.dc, credential: "basic" };
    } else if (parsed.scheme !== "none") return failed();
    const username = principal.kind === "user" ? principal.user.username : "anonymous";
    send(res, jiraAnswer("dc", route, url, principal, base, settings.jiraPatTokens), {
      "x-ausername": username,
      ...(principal.kind === "user" ? { "x-seraph-loginreason": "OK" } : {}),
    });
  });

  const simulator: Simulator & SimulatorExtras = {
    origins,
    cloudId,
    backup: { orgId: BACKUP_ORG_ID, policyId: BACKUP_POLICY_ID },
    credentials,
    users,
    settings,
    log,
    tokens,
    store,
    clearLog() {
      log.length = 0;
    },
    rateLimit(knob) {
      rateLimits.push({
        knob,
        remaining: knob.count ?? (knob.requestsPerSecond === undefined ? 1 : 0),
        hits: [],
        refused: 0,
      });
    },
    fault(knob) {
      faults.push({ knob, remaining: knob.count ?? 1 });
    },
    reset() {
      rateLimits = [];
      faults = [];
      Object.assign(settings, initialSettings);
      store.load();
      if (settings.bulkSpace) seedBulkSpace(store, settings.bulkSpace);
      authState.expired.clear();
      authState.dcFailures.clear();
      jiraFailures.clear();
      backupSim.reset();
      log.length = 0;
    },
    expireToken(token) {
      authState.expired.add(token);
      const grant = grants.get(token);
      if (grant) grant.expiresAt = Math.min(grant.expiresAt, now() - 1);
    },
    async stop() {
      await Promise.all(
        Object.values(servers).map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
  return simulator;
}

/** What startSimulator() returns beyond the Simulator contract. */
export interface SimulatorExtras {
  /** the Bearer token registry shared with the OAuth module; tests may grant tokens directly */
  tokens: SimTokenRegistry;
  /** the in-memory content (read it to assert on writes) */
  store: ContentStore;
}

function cloudUserJson(site: string, user: SimUser): Record<string, unknown> {
  return {
    type: "known",
    accountId: user.accountId,
    accountType: "atlassian",
    email: user.email,
    publicName: user.displayName,
    profilePicture: {
      path: `/wiki/aa-avatar/${user.accountId}`,
      width: 48,
      height: 48,
      isDefault: false,
    },
    displayName: user.displayName,
    timeZone: "Europe/London",
    isExternalCollaborator: false,
    externalCollaborator: false,
    isGuest: false,
    _links: {
      self: `${site}/wiki/rest/api/user?accountId=${encodeURIComponent(user.accountId)}`,
      base: `${site}/wiki`,
      context: "/wiki",
    },
  };
}

function cloudAnonymousJson(site: string): Record<string, unknown> {
  return {
    type: "anonymous",
    profilePicture: {
      path: "/wiki/s/-1/default/_/images/icons/profilepics/anonymous.svg",
      width: 48,
      height: 48,
      isDefault: true,
    },
    displayName: "Anonymous",
    _links: { self: `${site}/wiki/rest/api/user/anonymous`, base: `${site}/wiki`, context: "/wiki" },
  };
}

function dcUserJson(base: string, user: SimUser): Record<string, unknown> {
  return {
    type: "known",
    username: user.username,
    userKey: user.userKey,
    profilePicture: { path: "/images/icons/profilepics/default.svg", width: 48, height: 48, isDefault: true },
    displayName: user.displayName,
    _links: { self: `${base}/rest/api/user?key=${user.userKey}` },
    _expandable: { status: "" },
  };
}

function dcAnonymousJson(base: string): Record<string, unknown> {
  return {
    type: "anonymous",
    profilePicture: {
      path: "/images/icons/profilepics/anonymous.svg",
      width: 48,
      height: 48,
      isDefault: true,
    },
    displayName: "Anonymous",
    _links: { self: `${base}/rest/api/user/anonymous` },
  };
}
