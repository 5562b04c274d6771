/**
 * Turns whatever a user pastes (a bare host, a page URL, a DC URL under a context path, a gateway URL)
 * into the site (origin + context path) and the API roots worth probing. Pure: no network.
 */
import { UsageError } from "../errors.js";
import { isLoopbackHost } from "../http/plain-http-guard.js";

const DEFAULT_ATLASSIAN_API_URL = "https://api.atlassian.com";

export type SiteHostKind = "atlassian-cloud" | "gateway" | "other";

export interface NormalisedSite {
  /** origin + context path, no trailing slash: https://acme.atlassian.net, https://dc.example.com/confluence */
  site: string;
  origin: string;
  /** "" or "/confluence", "/wiki", ... (for a Cloud host always "" — the site is the origin) */
  contextPath: string;
  hostKind: SiteHostKind;
  /** only for a gateway URL (…/ex/confluence/<cloudId>/…) */
  cloudId?: string;
  /** API roots to probe, most likely first, each with a trailing slash */
  candidateApiRoots: string[];
}

/** The Atlassian hosts, overridable for Government Cloud and for tests. */
export function atlassianApiUrl(env: NodeJS.ProcessEnv): string {
  return stripTrailingSlash(env.CONFL_ATLASSIAN_API_URL?.trim() || DEFAULT_ATLASSIAN_API_URL);
}

/** `${apiUrl}/ex/${product}/${cloudId}`: where the API gateway serves one site's product. */
function gatewayRoot(env: NodeJS.ProcessEnv, product: "confluence" | "jira", cloudId: string): string {
  return `${atlassianApiUrl(env)}/ex/${product}/${encodeURIComponent(cloudId)}`;
}

/** `${apiUrl}/ex/confluence/${cloudId}/wiki/` — the gateway keeps /wiki after the cloudId (confluence-api.md §3.1). */
export function gatewayApiBase(env: NodeJS.ProcessEnv, cloudId: string): string {
  return `${gatewaySite(env, cloudId)}/wiki/`;
}

/** The gateway address of a Confluence site, as CONFLUENCE_URL takes it. */
export function gatewaySite(env: NodeJS.ProcessEnv, cloudId: string): string {
  return gatewayRoot(env, "confluence", cloudId);
}

/** Jira's API root on the gateway for the same site (one token serves both products). */
export function jiraGatewayApiBase(env: NodeJS.ProcessEnv, cloudId: string): string {
  return `${gatewayRoot(env, "jira", cloudId)}/`;
}

/** The API root (or site) is a gateway one: `…/ex/confluence/{cloudId}/…`. */
export function isGatewayUrl(url: string): boolean {
  return /\/ex\/confluence\//.test(url);
}

function isAtlassianCloudHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host.endsWith(".atlassian.net") || host.endsWith(".jira.com");
}

/**
 * Path segments that start the Confluence part of a URL: everything before the first of them is the
 * context path. Page URLs (`/display/KEY/Title`, `/pages/viewpage.action`, `/spaces/KEY/pages/1/T`),
 * REST URLs and the usual action pages all qualify.
 */
const CONFLUENCE_PATH_MARKERS = new Set([
  "display",
  "pages",
  "spaces",
  "rest",
  "api",
  "x",
  "plugins",
  "download",
  "label",
  "labels",
  "admin",
  "users",
  "people",
  "search",
  "dosearchsite.action",
  "dashboard.action",
  "homepage.action",
  "login.action",
  "dologin.action",
  "index.action",
  "discover",
  "home",
  "status",
  "_edge",
  "s",
]);

/**
 * A site URL as text for a message, without anything between the scheme and an `@`: a user:password@
 * part must never be echoed, even from a URL that did not parse.
 */
export function siteForMessage(text: string): string {
  return text.replace(/^((?:[a-z][a-z0-9+.-]*:)?[/\\]*)[^/\\?#]*@/i, "$1");
}

/**
 * A site URL with a user name or password in it (https://user:secret@host) is refused: the secret would
 * sit in config.json and in every message that names the site. Checked on the URL as parsed, so every
 * spelling the URL parser accepts (`user@`, `:secret@`, percent-encoded, no scheme) is caught.
 */
export function refuseUserinfo(url: URL): void {
  if (url.username === "" && url.password === "") return;
  throw new UsageError(
    `the site URL ${url.protocol}//${url.host} contains a user name or password, which confl does not take from a URL`,
    {
      code: "usage.site_userinfo",
      hint: "remove the user:password@ part; give the username with --username and the secret on stdin (--with-token)",
    },
  );
}

/**
 * Refuses a site (a URL, a bare host, or for OAuth a cloud id) with a user:password@ part, parsed as
 * parseSiteInput parses it; text that is no URL at all is left to the caller's own checks.
 */
export function assertNoUserinfo(input: string): void {
  try {
    parseSiteInput(input);
  } catch (error) {
    if (error instanceof UsageError && error.code === "usage.site_userinfo") throw error;
  }
}

/** Parses a site URL as given (a bare host gets https://); refuses a user:password@ part. */
function parseSiteInput(input: string): URL {
  const raw = input.trim().replace(/^[<"']+|[>"']+$/g, "");
  if (raw === "")
    throw new UsageError("the site URL is empty", {
      hint: "give the address you open Confluence at, e.g. https://acme.atlassian.net",
    });
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new UsageError(`"${siteForMessage(raw)}" is not a URL`, {
      hint: "give the address you open Confluence at, e.g. https://acme.atlassian.net",
    });
  }
  refuseUserinfo(url);
  return url;
}

export function normaliseSiteUrl(input: string, env: NodeJS.ProcessEnv = {}): NormalisedSite {
  const raw = input.trim().replace(/^[<"']+|[>"']+$/g, "");
  const url = parseSiteInput(raw);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`unsupported URL scheme "${url.protocol}" in ${siteForMessage(raw)}`, {
      hint: "use an https:// URL",
    });
  }
  // Without a scheme we chose https; plain http is only a sensible default for a server on this machine.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) && isLoopbackHost(url.hostname)) url.protocol = "http:";
  const origin = url.origin;
  const segments = url.pathname.split("/").filter((s) => s !== "");

  const gateway = new URL(atlassianApiUrl(env));
  if (url.origin === gateway.origin || url.hostname === "api.atlassian.com") {
    const at = segments.indexOf("ex");
    if (at >= 0 && segments[at + 1] === "confluence" && segments[at + 2]) {
      const cloudId = decodeURIComponent(segments[at + 2]!);
      const prefix = segments
        .slice(0, at)
        .map((s) => `/${s}`)
        .join("");
      const site = `${origin}${prefix}/ex/confluence/${encodeURIComponent(cloudId)}`;
      return {
        site,
        origin,
        contextPath: "",
        hostKind: "gateway",
        cloudId,
        candidateApiRoots: [`${site}/wiki/`],
      };
    }
    throw new UsageError(`${raw} is an Atlassian API gateway URL without a Confluence cloud id`, {
      hint: "give your site URL (https://<name>.atlassian.net) or a gateway URL like https://api.atlassian.com/ex/confluence/<cloudId>/wiki",
    });
  }

  if (isAtlassianCloudHost(url.hostname)) {
    return {
      site: origin,
      origin,
      contextPath: "",
      hostKind: "atlassian-cloud",
      candidateApiRoots: [`${origin}/wiki/`],
    };
  }

  const markerAt = segments.findIndex((s) => CONFLUENCE_PATH_MARKERS.has(s.toLowerCase()));
  const contextSegments = markerAt >= 0 ? segments.slice(0, markerAt) : segments;
  // A context path never ends in a file name: /confluence/foo.action belongs to Confluence.
  while (
    contextSegments.length > 0 &&
    /\.(action|jsp|do|html?)$/i.test(contextSegments[contextSegments.length - 1]!)
  ) {
    contextSegments.pop();
  }
  const contextPath = contextSegments.map((s) => `/${s}`).join("");
  const roots = [contextPath, "/confluence", "/wiki", ""].map((p) => `${origin}${p}/`);
  return {
    site: `${origin}${contextPath}`,
    origin,
    contextPath,
    hostKind: "other",
    candidateApiRoots: [...new Set(roots)],
  };
}

function stripTrailingSlash(value: string): string {
  return value.replace(/\/+$/, "");
}

/** Same site, compared loosely (case of host, trailing slash). */
export function sameSite(a: string, b: string): boolean {
  try {
    return stripTrailingSlash(new URL(a).href) === stripTrailingSlash(new URL(b).href);
  } catch {
    return stripTrailingSlash(a) === stripTrailingSlash(b);
  }
}
