/**
 * Which OAuth scopes each call confl makes on Confluence Cloud needs, copied from the specs'
 * `x-atlassian-oauth2-scopes` (test/fixtures/specs/; test/oauth/scopes.test.ts checks every row against them).
 * v2 operations list granular scopes as "Current"; v1 operations list classic scopes as "Current" and granular
 * ones as "Beta" (confluence-api.md §3.1, §4.5).
 *
 * This table is the single source for: the scopes `auth login --type oauth` asks for (`--scopes read`, the
 * default, and `--scopes write`), the README's "enable these in the developer console" lists, and the hint a
 * "scope does not match" answer gets (which scopes the failing operation lists). A command that calls a new
 * operation adds its row here.
 *
 * Atlassian stops the consent on its own page when ANY requested scope has not been added to the app ("This app
 * has requested scopes that have not been added to the app"), so the presets ask for what confl's commands call
 * and nothing else.
 */

export type ScopePreset = "read" | "write";

export interface ScopeNeed {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** the spec's path, under the API root (`/wiki`) */
  path: string;
  spec: "v2" | "v1" | "oauth";
  /** the spec's "Current" scopes (v1: classic) and, on v1, its "Beta" granular alternative */
  scopes: { current: string[]; beta?: string[] };
  /** which preset asks for it: read commands (and login), or writes */
  preset: ScopePreset;
  /** the confl commands that make this call */
  usedBy: string;
}

/** v1's attachment upload, POST (a new file) and PUT (a new version) alike, lists the same scopes. */
const ATTACHMENT_UPLOAD_SCOPES: ScopeNeed["scopes"] = {
  current: ["write:confluence-file"],
  beta: ["read:content-details:confluence", "write:attachment:confluence"],
};

export const CLOUD_SCOPE_NEEDS: readonly ScopeNeed[] = [
  // identity (login, auth status); the granular alternative is Beta on v1
  {
    method: "GET",
    path: "/wiki/rest/api/user/current",
    spec: "v1",
    scopes: { current: ["read:confluence-user"], beta: ["read:content-details:confluence"] },
    preset: "read",
    usedBy: "auth login, auth status",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/spaces",
    spec: "v2",
    scopes: { current: ["read:space:confluence"] },
    preset: "read",
    usedBy: "auth login, space list/view, page view/list/tree",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/spaces/{id}",
    spec: "v2",
    scopes: { current: ["read:space:confluence"] },
    preset: "read",
    usedBy: "space view",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/spaces/{id}/pages",
    spec: "v2",
    scopes: { current: ["read:page:confluence"] },
    preset: "read",
    usedBy: "page list/tree, page view SPACE:Title, export",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/pages",
    spec: "v2",
    scopes: { current: ["read:page:confluence"] },
    preset: "read",
    usedBy: "export, api api/v2/pages",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/pages/{id}",
    spec: "v2",
    scopes: { current: ["read:page:confluence"] },
    preset: "read",
    usedBy: "page view/tree/diff, export",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/pages/{id}/versions",
    spec: "v2",
    scopes: { current: ["read:page:confluence"] },
    preset: "read",
    usedBy: "page versions",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/pages/{id}/direct-children",
    spec: "v2",
    scopes: { current: ["read:hierarchical-content:confluence"] },
    preset: "read",
    usedBy: "page children",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/pages/{id}/descendants",
    spec: "v2",
    scopes: { current: ["read:hierarchical-content:confluence"] },
    preset: "read",
    usedBy: "page tree",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/pages/{id}/ancestors",
    spec: "v2",
    scopes: { current: ["read:content.metadata:confluence"] },
    preset: "read",
    usedBy: "page move/copy/delete (checks)",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/pages/{id}/labels",
    spec: "v2",
    scopes: { current: ["read:page:confluence"] },
    preset: "read",
    usedBy: "label list, page view --format markdown",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/pages/{id}/properties",
    spec: "v2",
    scopes: { current: ["read:page:confluence"] },
    preset: "read",
    usedBy: "property list/get",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/pages/{id}/attachments",
    spec: "v2",
    scopes: { current: ["read:attachment:confluence"] },
    preset: "read",
    usedBy: "attachment list/download",
  },
  {
    method: "GET",
    path: "/wiki/rest/api/content/{id}/child/attachment/{attachmentId}/download",
    spec: "v1",
    scopes: { current: ["readonly:content.attachment:confluence"], beta: ["read:attachment:confluence"] },
    preset: "read",
    usedBy: "attachment download, export",
  },
  {
    method: "GET",
    path: "/wiki/api/v2/pages/{id}/footer-comments",
    spec: "v2",
    scopes: { current: ["read:comment:confluence"] },
    preset: "read",
    usedBy: "comment list",
  },
  {
    method: "GET",
    path: "/wiki/rest/api/search",
    spec: "v1",
    scopes: { current: ["search:confluence"], beta: ["read:content-details:confluence"] },
    preset: "read",
    usedBy: "search",
  },
  {
    method: "GET",
    path: "/wiki/rest/api/content/search",
    spec: "v1",
    scopes: { current: ["search:confluence"], beta: ["read:content-details:confluence"] },
    preset: "read",
    usedBy: "export, publish",
  },
  // writes
  {
    method: "POST",
    path: "/wiki/api/v2/pages",
    spec: "v2",
    scopes: { current: ["write:page:confluence"] },
    preset: "write",
    usedBy: "page create/copy, publish",
  },
  {
    method: "PUT",
    path: "/wiki/api/v2/pages/{id}",
    spec: "v2",
    scopes: { current: ["write:page:confluence"] },
    preset: "write",
    usedBy: "page update/move, publish",
  },
  {
    method: "DELETE",
    path: "/wiki/api/v2/pages/{id}",
    spec: "v2",
    scopes: { current: ["delete:page:confluence"] },
    preset: "write",
    usedBy: "page delete",
  },
  {
    method: "POST",
    path: "/wiki/api/v2/pages/{id}/properties",
    spec: "v2",
    scopes: { current: ["read:page:confluence", "write:page:confluence"] },
    preset: "write",
    usedBy: "property set",
  },
  {
    method: "PUT",
    path: "/wiki/api/v2/pages/{id}/properties/{property-id}",
    spec: "v2",
    scopes: { current: ["read:page:confluence", "write:page:confluence"] },
    preset: "write",
    usedBy: "property set",
  },
  {
    method: "DELETE",
    path: "/wiki/api/v2/pages/{id}/properties/{property-id}",
    spec: "v2",
    scopes: { current: ["read:page:confluence", "write:page:confluence"] },
    preset: "write",
    usedBy: "property delete",
  },
  {
    method: "POST",
    path: "/wiki/api/v2/footer-comments",
    spec: "v2",
    scopes: { current: ["write:comment:confluence"] },
    preset: "write",
    usedBy: "comment add",
  },
  {
    method: "DELETE",
    path: "/wiki/api/v2/attachments/{id}",
    spec: "v2",
    scopes: { current: ["delete:attachment:confluence"] },
    preset: "write",
    usedBy: "attachment delete",
  },
  {
    method: "POST",
    path: "/wiki/rest/api/content/{id}/child/attachment",
    spec: "v1",
    scopes: ATTACHMENT_UPLOAD_SCOPES,
    preset: "write",
    usedBy: "attachment upload, page copy",
  },
  {
    method: "PUT",
    path: "/wiki/rest/api/content/{id}/child/attachment",
    spec: "v1",
    scopes: ATTACHMENT_UPLOAD_SCOPES,
    preset: "write",
    usedBy: "attachment upload (a new version)",
  },
  {
    method: "POST",
    path: "/wiki/rest/api/content/{id}/label",
    spec: "v1",
    scopes: {
      current: ["write:confluence-content"],
      beta: ["read:label:confluence", "write:label:confluence"],
    },
    preset: "write",
    usedBy: "label add, page copy",
  },
  {
    method: "DELETE",
    path: "/wiki/rest/api/content/{id}/label",
    spec: "v1",
    scopes: { current: ["write:confluence-content"], beta: ["write:label:confluence"] },
    preset: "write",
    usedBy: "label remove",
  },
  // a refresh token, so the login lasts beyond the access token's hour (asked for by both presets)
  {
    method: "POST",
    path: "/oauth/token",
    spec: "oauth",
    scopes: { current: ["offline_access"] },
    preset: "read",
    usedBy: "every command, once the access token expires",
  },
];

/** The scopes a preset asks for: each of its operations' "Current" scopes (`write` includes `read`). */
export function presetScopes(preset: ScopePreset): string[] {
  const rows = CLOUD_SCOPE_NEEDS.filter((row) => preset === "write" || row.preset === "read");
  const scopes = [...new Set(rows.flatMap((row) => row.scopes.current))];
  // offline_access last, as people read it: the Confluence scopes, then the refresh token
  return [...scopes.filter((s) => s !== "offline_access"), "offline_access"];
}

/** What `auth login --type oauth` asks for on Cloud without --scopes. */
export const DEFAULT_CLOUD_SCOPES: string[] = presetScopes("read");

/** Data Center's provider knows READ, WRITE, ADMIN, SYSTEM_ADMIN (WRITE includes READ). */
const DC_PRESETS: Record<ScopePreset, string> = { read: "READ", write: "WRITE" };

/**
 * The scopes a --scopes value asks for: `read` and `write` are presets (for the deployment), anything else is
 * a scope name; space- or comma-separated, mixed freely (`--scopes "write manage:confluence-configuration"`).
 */
export function expandScopes(value: string, deployment: "cloud" | "dc"): string[] {
  const words = value.split(/[\s,]+/).filter(Boolean);
  const out: string[] = [];
  for (const word of words) {
    const preset = word.toLowerCase();
    if (preset === "read" || preset === "write")
      out.push(...(deployment === "dc" ? [DC_PRESETS[preset]] : presetScopes(preset)));
    else out.push(word);
  }
  return [...new Set(out)];
}

function templateMatches(template: string, path: string): boolean {
  const pattern = template
    .split("/")
    .map((part) => (/^\{.+\}$/.test(part) ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${pattern}/?$`).test(path);
}

/**
 * The operation a request URL is, by method and path (the gateway prefix and a missing /wiki are allowed), or
 * undefined when confl does not know it.
 */
export function scopeNeedFor(method: string, url: string): ScopeNeed | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  path = path.replace(/^\/ex\/confluence\/[^/]+/, "");
  if (!path.startsWith("/wiki/")) path = `/wiki${path}`;
  const verb = method.toUpperCase();
  return CLOUD_SCOPE_NEEDS.find(
    (row) => row.spec !== "oauth" && row.method === verb && templateMatches(row.path, path),
  );
}

/**
 * The scopes the operation lists, said the way a person acts on them: "read:page:confluence" for a v2 call;
 * "search:confluence (classic) or read:content-details:confluence (granular, beta)" for a v1 call.
 */
export function describeScopeNeed(need: ScopeNeed): string {
  const current = need.scopes.current.join(" + ");
  if (!need.scopes.beta) return current;
  return `${current} (classic) or ${need.scopes.beta.join(" + ")} (granular, beta)`;
}
