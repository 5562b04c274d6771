/**
 * A minimal Jira beside the Confluence simulator (issue 13): who am I, server info and one search, on the Cloud
 * site (`/rest/api/{2,3}/…`), through the gateway (`/ex/jira/{cloudId}/rest/api/…`, scope-checked like the
 * Confluence routes) and on a Jira Data Center server of its own (index.ts mounts it under settings.jiraDcContextPath).
 * Shapes: Jira Cloud platform REST v3 (`GET /rest/api/3/myself`, `GET /rest/api/3/search/jql`, `GET
 * /rest/api/3/serverInfo`) and Jira DC REST v2 (`/rest/api/2/myself`, `/rest/api/2/search`, `/rest/api/2/serverInfo`).
 */
import type { Principal, RouteResult } from "./router.js";
import type { SimPatToken, SimUser } from "./types.js";

export type JiraFlavor = "cloud" | "dc";

/**
 * The scopes each Jira route needs through the gateway: the classic scope, or every granular one (Jira Cloud
 * OpenAPI `x-atlassian-oauth2-scopes` of GET /rest/api/3/myself and GET /rest/api/3/search/jql).
 */
export const jiraRouteScopes: Record<string, { classic: string; granular: string[] }> = {
  myself: {
    classic: "read:jira-user",
    granular: ["read:application-role:jira", "read:group:jira", "read:user:jira", "read:avatar:jira"],
  },
  search: {
    classic: "read:jira-work",
    granular: ["read:issue-details:jira", "read:field.default-value:jira", "read:project:jira"],
  },
  serverInfo: { classic: "read:jira-user", granular: ["read:instance-configuration:jira"] },
};

export function jiraScopesSatisfied(route: string, held: string[]): boolean {
  const need = jiraRouteScopes[route];
  if (!need) return true;
  return held.includes(need.classic) || need.granular.every((scope) => held.includes(scope));
}

const issues = [
  { id: "10001", key: "DOC-1", summary: "Review the release checklist", status: "In Progress" },
  { id: "10002", key: "DOC-2", summary: "Link the install guide from the docs home", status: "To Do" },
];

function userJson(flavor: JiraFlavor, base: string, user: SimUser): Record<string, unknown> {
  if (flavor === "cloud") {
    return {
      self: `${base}/rest/api/3/user?accountId=${encodeURIComponent(user.accountId)}`,
      accountId: user.accountId,
      accountType: "atlassian",
      emailAddress: user.email,
      avatarUrls: { "48x48": `${base}/_sim/avatar.png` },
      displayName: user.displayName,
      active: true,
      timeZone: "UTC",
      locale: "en_US",
    };
  }
  return {
    self: `${base}/rest/api/2/user?username=${encodeURIComponent(user.username)}`,
    key: user.userKey,
    name: user.username,
    emailAddress: user.email,
    avatarUrls: { "48x48": `${base}/secure/useravatar?avatarId=10122` },
    displayName: user.displayName,
    active: true,
    timeZone: "UTC",
    locale: "en_US",
  };
}

/** Which Jira route a path is (`/rest/api/3/myself` → myself), or undefined. */
export function jiraRoute(flavor: JiraFlavor, method: string, path: string): string | undefined {
  if (method !== "GET") return undefined;
  // Jira DC 8.14+: the caller's personal access tokens (the PAT REST API beside POST …/tokens,
  // https://confluence.atlassian.com/enterprise/using-personal-access-tokens-1026032365.html); the list's
  // shape {id, name, createdAt, expiringAt} as public Jira DC clients read it
  if (flavor === "dc" && path === "/rest/pat/latest/tokens") return "patTokens";
  const match = /^\/rest\/api\/(2|3|latest)\/(myself|serverInfo|search|search\/jql)$/.exec(path);
  if (!match) return undefined;
  const [, version, name] = match;
  if (flavor === "dc" && version === "3") return undefined;
  if (name === "search/jql") return flavor === "cloud" ? "search" : undefined;
  // Jira Cloud removed the old search (CHANGE-2046); DC keeps it
  if (name === "search") return flavor === "dc" ? "search" : undefined;
  return name;
}

/**
 * The answer to a Jira route for a caller the origin already authenticated (or anonymous). `base` is the Jira
 * base URL as Jira reports it (the site, the gateway prefix, or the DC base with its context path).
 */
export function jiraAnswer(
  flavor: JiraFlavor,
  route: string,
  url: URL,
  principal: Principal,
  base: string,
  patTokens: SimPatToken[] | "unsupported" = [],
): RouteResult {
  if (route === "serverInfo") {
    return {
      status: 200,
      json: {
        baseUrl: base,
        version: flavor === "cloud" ? "1001.0.0-SNAPSHOT" : "9.12.15",
        versionNumbers: flavor === "cloud" ? [1001, 0, 0] : [9, 12, 15],
        deploymentType: flavor === "cloud" ? "Cloud" : "Server",
        buildNumber: flavor === "cloud" ? 100282 : 9120015,
        serverTitle: "Jira",
      },
    };
  }
  if (principal.kind !== "user") {
    return flavor === "cloud"
      ? {
          status: 401,
          text: "Client must be authenticated to access this resource.",
          contentType: "text/plain",
        }
      : {
          status: 401,
          json: {
            errorMessages: ["You are not authenticated. Authentication required to perform this operation."],
            errors: {},
          },
        };
  }
  if (route === "myself") return { status: 200, json: userJson(flavor, base, principal.user) };
  if (route === "patTokens") {
    if (patTokens === "unsupported")
      return {
        status: 404,
        text: "<html><body>Oops, you've found a dead link.</body></html>",
        contentType: "text/html",
      };
    return { status: 200, json: patTokens };
  }
  const max = Math.min(Number(url.searchParams.get("maxResults") ?? 50) || 50, 100);
  const found = issues.slice(0, max).map((issue) => ({
    id: issue.id,
    key: issue.key,
    self: `${base}/rest/api/${flavor === "cloud" ? 3 : 2}/issue/${issue.id}`,
    fields: { summary: issue.summary, status: { name: issue.status } },
  }));
  return {
    status: 200,
    json:
      flavor === "cloud"
        ? { issues: found, isLast: true }
        : { startAt: 0, maxResults: max, total: issues.length, issues: found },
  };
}
