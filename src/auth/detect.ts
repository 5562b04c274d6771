/**
 * Cloud or Data Center, and where the API lives. Host names decide when they can (`*.atlassian.net`,
 * `*.jira.com`, a gateway URL); otherwise public probes do: `/_edge/tenant_info` (Cloud on a custom
 * domain, gives the cloudId), then DC `rest/api/server-information` (a 401 still proves DC) and
 * `/status`, under the given context path first, then the common ones (confluence-api.md §3.2, §5.4).
 */
import type { Deployment } from "../config/types.js";
import { UsageError } from "../errors.js";
import { looksLikeHtml } from "../http/html-page.js";
import { kindDescriptor } from "./kinds/index.js";
import {
  gatewayApiBase,
  gatewaySite,
  isGatewayUrl,
  type NormalisedSite,
  normaliseSiteUrl,
} from "./site-url.js";
import type { CredentialKind } from "./types.js";

export interface ProbeResult {
  status: number;
  headers: Headers;
  text: string;
}

/** An unauthenticated GET used for detection; throws on network/TLS failure. */
export type Probe = (url: string) => Promise<ProbeResult>;

export interface Detection {
  deployment: Deployment;
  /** origin + context path, no trailing slash */
  site: string;
  /** API root for the site itself (Cloud: …/wiki/; DC: the context path), trailing slash */
  apiBase: string;
  cloudId?: string;
  /** how it was decided, shown to the user: "host name", "tenant_info", "rest/api/server-information", ... */
  evidence: string;
}

export interface DetectOptions {
  env: NodeJS.ProcessEnv;
  probe: Probe;
  /** --deployment: skip probing for the deployment */
  deployment?: Deployment;
  /** --cloud-id: skip tenant_info */
  cloudId?: string;
  debug?: (line: string) => void;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isHtml(result: ProbeResult): boolean {
  return looksLikeHtml(result.headers.get("content-type"), result.text);
}

/** `{"cloudId":"…"}` from `<origin>/_edge/tenant_info`, or undefined when the host is not Cloud. */
export async function fetchCloudId(origin: string, options: DetectOptions): Promise<string | undefined> {
  const url = `${origin}/_edge/tenant_info`;
  const result = await options.probe(url);
  options.debug?.(`detect: GET ${url} → ${result.status}`);
  if (result.status !== 200) return undefined;
  const cloudId = parseJson(result.text)?.cloudId;
  return typeof cloudId === "string" && cloudId.length > 0 ? cloudId : undefined;
}

/** What a DC probe proved, or undefined. */
async function probeDataCenter(root: string, options: DetectOptions): Promise<string | undefined> {
  const info = await options.probe(`${root}rest/api/server-information`);
  options.debug?.(`detect: GET ${root}rest/api/server-information → ${info.status}`);
  if (info.status === 200 && !isHtml(info)) {
    const body = parseJson(info.text);
    if (body && ("buildNumber" in body || "version" in body || "baseUrl" in body))
      return "rest/api/server-information";
  }
  // Anonymous callers get 401 when anonymous access is off: still a Confluence REST endpoint answering.
  if (info.status === 401 && (!isHtml(info) || info.headers.has("x-seraph-loginreason"))) {
    return "rest/api/server-information (401)";
  }
  const status = await options.probe(`${root}status`);
  options.debug?.(`detect: GET ${root}status → ${status.status}`);
  if ((status.status === 200 || status.status === 503) && !isHtml(status)) {
    const state = parseJson(status.text)?.state;
    if (typeof state === "string") return `status (${state})`;
  }
  return undefined;
}

export async function detectSite(input: string | NormalisedSite, options: DetectOptions): Promise<Detection> {
  const site = typeof input === "string" ? normaliseSiteUrl(input, options.env) : input;

  if (site.hostKind === "gateway") {
    if (options.deployment === "dc") {
      throw new UsageError("an Atlassian API gateway URL is always Cloud", { hint: "drop --deployment dc" });
    }
    return {
      deployment: "cloud",
      site: site.site,
      apiBase: site.candidateApiRoots[0]!,
      cloudId: site.cloudId!,
      evidence: "API gateway URL",
    };
  }

  const cloud = async (evidence: string, knownCloudId?: string): Promise<Detection> => {
    let cloudId = options.cloudId ?? knownCloudId;
    if (!cloudId) {
      try {
        cloudId = await fetchCloudId(site.origin, options);
      } catch (error) {
        options.debug?.(`detect: tenant_info failed: ${(error as Error).message}`);
      }
    }
    return {
      deployment: "cloud",
      site: site.origin,
      apiBase: `${site.origin}/wiki/`,
      ...(cloudId ? { cloudId } : {}),
      evidence,
    };
  };

  if (options.deployment === "cloud") return cloud("--deployment cloud");
  if (options.deployment === "dc") {
    return { deployment: "dc", site: site.site, apiBase: `${site.site}/`, evidence: "--deployment dc" };
  }
  if (site.hostKind === "atlassian-cloud") return cloud("host name");

  let firstFailure: unknown;
  const attempt = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (error) {
      firstFailure ??= error;
      options.debug?.(`detect: probe failed: ${(error as Error).message}`);
      return undefined;
    }
  };

  const cloudId = await attempt(() => fetchCloudId(site.origin, options));
  if (cloudId) return cloud("/_edge/tenant_info, Cloud on a custom domain", cloudId);

  for (const root of site.candidateApiRoots) {
    const evidence = await attempt(() => probeDataCenter(root, options));
    if (evidence) {
      const base = root.replace(/\/$/, "");
      return { deployment: "dc", site: base, apiBase: root, evidence };
    }
    // A host that cannot be reached at all will not answer under another path either.
    if (firstFailure !== undefined && root === site.candidateApiRoots[0]) break;
  }
  if (firstFailure !== undefined) throw firstFailure;
  throw new UsageError(`could not tell whether ${site.site} is Confluence Cloud or Data Center`, {
    code: "usage.detect_failed",
    hint: "check the URL (include the context path, e.g. https://host/confluence), or pass --deployment cloud|dc",
  });
}

/**
 * The API root a kind must use: a kind whose requests go through the gateway on Cloud (a scoped token) gets
 * the gateway root (with the cloudId); everything else uses the site's own root.
 */
export function apiBaseForKind(
  detection: Detection,
  kind: CredentialKind,
  env: NodeJS.ProcessEnv,
): { apiBase: string; site: string } {
  if (detection.deployment !== "cloud" || kindDescriptor(kind).apiRoot !== "gateway")
    return { apiBase: detection.apiBase, site: detection.site };
  if (isGatewayUrl(detection.apiBase)) return { apiBase: detection.apiBase, site: detection.site };
  if (!detection.cloudId) {
    throw new UsageError(
      `a scoped token goes through the API gateway, which needs the cloud id of ${detection.site}`,
      {
        code: "usage.no_cloud_id",
        hint: `open ${detection.site}/_edge/tenant_info in a browser and pass its cloudId with --cloud-id`,
      },
    );
  }
  return { apiBase: gatewayApiBase(env, detection.cloudId), site: detection.site };
}

export { gatewaySite };
