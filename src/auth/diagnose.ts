/**
 * Maps what came back from a verification request (or the error thrown instead) to ONE specific
 * AuthError with the fix. Protocol facts behind each branch: confluence-api.md §0.5, §1.12, §1.14,
 * §3.3, §5.3. Callers branch on `code`, never on the message.
 */

import { profileFlagFor } from "../config/profile-name.js";
import type { Deployment } from "../config/types.js";
import { AuthError, ConflError } from "../errors.js";
import { HttpError, InvalidResponseError, NetworkError, TimeoutError, TlsError } from "../http/errors.js";
import { looksLikeHtml } from "../http/html-page.js";
import { errorChain, isTlsErrorCode } from "../http/transport.js";
import { describeScopeNeed, scopeNeedFor } from "./oauth/scopes.js";
import type { CredentialKind } from "./types.js";

export const API_TOKEN_URL = "https://id.atlassian.com/manage-profile/security/api-tokens";

export interface ObservedResponse {
  status: number;
  headers: Headers;
  bodyText: string;
  /** the URL asked for (no secrets in it) */
  url: string;
}

export interface DiagnoseContext {
  kind: CredentialKind;
  deployment: Deployment;
  site: string;
  apiBase: string;
  /** the request went to the Atlassian API gateway (…/ex/confluence/{cloudId}/…) */
  onGateway: boolean;
  /** which verification step: the identity call or the content call */
  phase: "identity" | "content";
  profileName?: string;
  /** the environment variable the secret came from, when it did (its hint then says to unset it) */
  secretSource?: string;
  /** the profile's Cloud email or Data Center username, so a login hint can be run as printed */
  email?: string;
  username?: string;
}

/** The name resolve.ts gives credentials from the environment (not a profile a login can write). */
const ENVIRONMENT_PROFILE = "(environment)";

const ENV_SECRET: Partial<Record<CredentialKind, string>> = {
  "api-token": "CONFLUENCE_API_TOKEN",
  "scoped-token": "CONFLUENCE_API_TOKEN",
  pat: "CONFLUENCE_PERSONAL_TOKEN",
  password: "CONFLUENCE_PASSWORD",
  cookie: "CONFLUENCE_COOKIE",
};

function fromEnvironment(d: DiagnoseContext): boolean {
  return d.profileName === ENVIRONMENT_PROFILE || d.secretSource !== undefined;
}

/**
 * The login that replaces the credential with every value the error knows filled in, so it runs as
 * printed (the secret on stdin); undefined when it would need something the error does not know.
 */
export function loginCommand(d: DiagnoseContext, kind: CredentialKind = d.kind): string | undefined {
  const account = d.email ?? d.username;
  const identity =
    kind === "api-token" || kind === "scoped-token"
      ? account?.includes("@")
        ? ` --email ${account}`
        : undefined
      : kind === "password"
        ? account
          ? ` --username ${account}`
          : undefined
        : "";
  if (identity === undefined || kind === "oauth" || kind === "client-credentials") return undefined;
  const profile =
    d.profileName && !fromEnvironment(d) ? profileFlagFor({ name: d.profileName, site: d.site }) : "";
  return `confl auth login${profile} --site ${d.site} --type ${kind}${identity}${kind === "none" ? "" : " --with-token"}`;
}

/**
 * How to put a new credential of this kind in place: run the login (quoted, runnable), or, for a credential
 * from the environment, which variable to set (a stored login would not win over it).
 */
function relogin(d: DiagnoseContext, kind: CredentialKind = d.kind): string {
  if (fromEnvironment(d)) {
    const variable = (kind === d.kind ? d.secretSource : undefined) ?? ENV_SECRET[kind];
    return variable
      ? `put it in ${variable} (this credential came from the environment)`
      : "fix the CONFLUENCE_* variables (this credential came from the environment)";
  }
  const command = loginCommand(d, kind);
  return command ? `run \`${command}\`` : `log in again with --type ${kind} (see 'confl auth login --help')`;
}

export function seraphReasons(headers: Headers): string[] {
  return (headers.get("x-seraph-loginreason") ?? "")
    .split(",")
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
}

function isHtml(res: ObservedResponse): boolean {
  return looksLikeHtml(res.headers.get("content-type"), res.bodyText);
}

/** Scope names quoted in a gateway body or header (granular `read:page:confluence`, classic `read:confluence-content.all`). */
/** What to do about missing scopes: a new scoped token (or OAuth grant) that has them. */
export function scopeHint(d: DiagnoseContext, scopes: string | undefined): string {
  const what = scopes ?? "the scopes listed in the README";
  if (d.kind === "oauth" || d.kind === "client-credentials")
    return `add ${what} to the OAuth app and ask for them with --scopes, then ${relogin(d)}`;
  return `create a scoped token with ${what} at ${API_TOKEN_URL}, then ${relogin(d)}`;
}

export function scopesMentioned(text: string): string[] {
  const found =
    text.match(/\b(?:read|write|delete|manage|search|readonly|offline_access)(?::[a-z0-9._-]+)+/gi) ?? [];
  return [...new Set(found.map((s) => s.replace(/[.,;]+$/, "")))];
}

/**
 * The response to a verification request, judged. Returns undefined when it is a real success (the
 * anonymous check for the identity call is done by verify.ts, which reads the JSON).
 */
export function diagnoseResponse(res: ObservedResponse, d: DiagnoseContext): ConflError | undefined {
  const reasons = seraphReasons(res.headers);
  const body = res.bodyText.slice(0, 4000);
  const where = d.onGateway ? "the Atlassian API gateway" : d.site;

  // CAPTCHA lock-out: 401 + AUTHENTICATION_DENIED even with correct credentials (confkb 966681459).
  if (reasons.includes("AUTHENTICATION_DENIED")) {
    return new AuthError(`${d.site} locked this account behind a CAPTCHA after too many failed logins`, {
      code: "auth.captcha",
      hint: `log in once in a browser at ${d.site} (solving the CAPTCHA), then try again`,
    });
  }

  if (res.status === 401 && /basic authentication with passwords is deprecated/i.test(body)) {
    return new AuthError(
      "Confluence Cloud does not accept account passwords: that was a password, not an API token",
      {
        code: "auth.password_on_cloud",
        hint: `create an API token at ${API_TOKEN_URL} and ${relogin(d, "api-token")}`,
      },
    );
  }

  // A Bearer the Cloud site cannot read as an Atlassian token: a DC personal access token (or an API token sent
  // as Bearer) gets 403 {"error":"Failed to parse Connect Session Auth Token"} (atlassian-python-api #1199).
  if (res.status === 403 && /Failed to parse Connect Session Auth Token/i.test(body)) {
    return patOnCloud(d);
  }

  if (
    (res.status === 401 || res.status === 403) &&
    /basic auth(?:entication)?[^.]{0,40}\b(?:disabled|not allowed|blocked|turned off)|api tokens? (?:are|is) (?:disabled|blocked|not allowed)/i.test(
      body,
    )
  ) {
    // Data Center: 403 {"message":"Basic Authentication has been disabled on this instance."}; a PAT (Bearer)
    // still works (skleinei/alfred-confluence #24).
    if (d.deployment === "dc") {
      return new AuthError(`${d.site} has Basic authentication disabled: it takes no username and password`, {
        code: "auth.basic_disabled",
        hint: `use a personal access token (Profile → Personal Access Tokens): ${relogin(d, "pat")}`,
      });
    }
    return new AuthError(`an admin has disabled Basic authentication (API tokens) on ${d.site}`, {
      code: "auth.basic_disabled",
      hint: "ask for an OAuth 2.0 service account and log in with --type client-credentials and its --client-id (see 'confl auth login --help')",
    });
  }

  const scopeCheck =
    /FAILURE_CLIENT_SCOPE_CHECK/i.test(res.headers.get("x-failure-category") ?? "") ||
    /scope does not match/i.test(body);
  if (res.status === 401 && scopeCheck) {
    if (!d.onGateway) return scopedTokenOnSite(d);
    const named = scopesMentioned(`${body} ${res.headers.get("x-missing-scopes") ?? ""}`);
    // The gateway rarely names the scopes; the operation's own list (from the specs) says what would do.
    const need = scopeNeedFor("GET", res.url);
    const operation = need
      ? `GET ${need.path}`
      : `this ${/\/api\/v2\//.test(res.url) ? "v2" : "v1"} API call`;
    const scopes = named.length > 0 ? named.join(", ") : need ? describeScopeNeed(need) : undefined;
    return new AuthError(
      scopes
        ? `the token lacks the scopes ${operation} needs: ${scopes}`
        : `the token's scopes do not allow ${operation} (the gateway said "scope does not match")`,
      { code: "auth.scope_mismatch", hint: scopeHint(d, scopes) },
    );
  }

  // What the site itself answers a scoped token: Tomcat's 401 page (Atlassian Community, 2025-06: "…because it lacks
  // valid authentication credentials for that resource"), not the gateway's "scope does not match".
  if (
    res.status === 401 &&
    !d.onGateway &&
    d.deployment === "cloud" &&
    (d.kind === "api-token" || d.kind === "scoped-token") &&
    /lacks valid authentication credentials/i.test(body)
  ) {
    return scopedTokenOnSite(d);
  }

  if (res.status >= 200 && res.status < 400 && isHtml(res)) return htmlInsteadOfJson(res, d);
  if (res.status >= 300 && res.status < 400) {
    const location = res.headers.get("location") ?? "";
    if (/login|sso|saml|auth|okta|adfs/i.test(location)) return htmlInsteadOfJson(res, d);
  }

  if (res.status === 403 && /cannot access Confluence|not permitted to use Confluence/i.test(body)) {
    if (d.deployment === "cloud") {
      return new AuthError(
        `${d.site} rejected the credential: wrong email or API token (or the account has no Confluence access)`,
        {
          code: "auth.caller_cannot_access",
          hint: `check the email is the Atlassian account that created the token; create a new token at ${API_TOKEN_URL} and ${relogin(d)}`,
        },
      );
    }
    return new AuthError(`${d.site} says this account is not permitted to use Confluence`, {
      code: "auth.not_permitted",
      hint: "ask a Confluence administrator to grant the account the 'Can use' global permission",
    });
  }

  if (res.status === 401) {
    if (d.deployment === "dc") {
      if (d.kind === "pat" || (d.kind === "cookie" && isHtml(res))) {
        return new AuthError(
          d.kind === "pat"
            ? `${d.site} rejected the personal access token: wrong, expired or revoked`
            : `${d.site} rejected the session cookie: it has expired or was never valid`,
          {
            code: d.kind === "pat" ? "auth.token_rejected" : "auth.cookie_expired",
            hint:
              d.kind === "pat"
                ? `create a new token in Confluence (Profile → Settings → Personal Access Tokens) and ${relogin(d, "pat")}`
                : `copy a fresh cookie from a logged-in browser and ${relogin(d, "cookie")}`,
          },
        );
      }
      return new AuthError(`${d.site} rejected the username or password`, {
        code: "auth.wrong_password",
        hint: `check both, then ${relogin(d)}; repeated failures trigger a CAPTCHA lock-out, so a personal access token (--type pat) is safer`,
      });
    }
    return new AuthError(`${where} rejected the API token (401): it is wrong, expired or revoked`, {
      code: "auth.token_rejected",
      hint: `API tokens live at most a year; create a new one at ${API_TOKEN_URL} and ${relogin(d)}`,
    });
  }

  if (res.status === 403) {
    return new AuthError(
      `${where} answered 403: the account is signed in but may not ${d.phase === "identity" ? "read its own profile" : "list spaces"}`,
      {
        code: "auth.forbidden",
        hint:
          d.kind === "scoped-token"
            ? "the scoped token probably lacks a read scope; create one with the scopes listed in the README"
            : "ask a Confluence administrator for access, or use an account that has it",
      },
    );
  }

  // From here on the credential was not judged: a failure (exit 1), not an authentication problem (exit 4).
  if (res.status === 404) {
    return new ConflError(
      `${res.url} answered 404: wrong API address, or (Confluence answers both the same way) no permission`,
      {
        code: "auth.not_found",
        hint: `check the site URL (API root in use: ${d.apiBase}); if it is right, the credential may be ignored or lack access: run \`confl auth status\``,
      },
    );
  }

  if (res.status === 410) {
    return new ConflError(`${res.url} answered 410 Gone: Atlassian removed this endpoint`, {
      code: "auth.endpoint_removed",
      hint: "update confl; Cloud v1 content endpoints are being removed in favour of the v2 API",
    });
  }

  if (res.status >= 200 && res.status < 300) return undefined;

  return new ConflError(`${res.url} answered HTTP ${res.status} while verifying the credential`, {
    code: res.status >= 500 ? "auth.server_error" : "auth.unexpected_status",
    hint:
      res.status >= 500
        ? "the server is failing; try again later or check its status page"
        : "run again with --debug to see the exchange",
  });
}

export function scopedTokenOnSite(d: DiagnoseContext): AuthError {
  return new AuthError(
    "a scoped API token only works through the Atlassian API gateway, not on the site URL",
    {
      code: "auth.scoped_token_on_site",
      hint: fromEnvironment(d)
        ? "point CONFLUENCE_URL at the API gateway: https://api.atlassian.com/ex/confluence/ followed by the site's cloud id (the cloudId of the site's /_edge/tenant_info)"
        : `${relogin(d, "scoped-token")}: confl finds the cloud id and uses the gateway`,
    },
  );
}

/** A personal access token (Bearer) sent to Confluence Cloud, which has no PATs. */
export function patOnCloud(d: DiagnoseContext): AuthError {
  const fromEnv = d.secretSource === "CONFLUENCE_PERSONAL_TOKEN";
  return new AuthError(
    fromEnv
      ? `CONFLUENCE_PERSONAL_TOKEN holds a personal access token, but ${d.site} is Confluence Cloud: PATs are Data Center only`
      : `${d.site} is Confluence Cloud, which takes no personal access tokens: PATs are Data Center only`,
    {
      code: "auth.pat_on_cloud",
      hint: fromEnv
        ? `unset CONFLUENCE_PERSONAL_TOKEN and set CONFLUENCE_EMAIL + CONFLUENCE_API_TOKEN (an API token from ${API_TOKEN_URL})`
        : `create an API token at ${API_TOKEN_URL} and log in with --type api-token, the email of your Atlassian account (--email) and the token on stdin (see 'confl auth login --help')`,
    },
  );
}

export function anonymousAnswer(d: DiagnoseContext, failedLogin: boolean): AuthError {
  if (d.deployment === "dc" || failedLogin) {
    return new AuthError(
      `${d.site} ignored the credential and answered as an anonymous user (login failed)`,
      {
        code: "auth.anonymous",
        hint:
          d.kind === "pat"
            ? `the personal access token is wrong, expired or revoked; create a new one and ${relogin(d, "pat")}`
            : `check the username and ${d.kind === "password" ? "password" : "secret"}, then ${relogin(d)}`,
      },
    );
  }
  return new AuthError(`${d.site} is public and ignored the credential: requests run as an anonymous user`, {
    code: "auth.anonymous",
    hint: `the email or API token is wrong, expired or revoked; create a token at ${API_TOKEN_URL} and ${relogin(d)}`,
  });
}

function htmlInsteadOfJson(res: ObservedResponse, d: DiagnoseContext): AuthError {
  return new AuthError(`${res.url} returned an HTML page (an SSO or login page) instead of JSON`, {
    code: "auth.html_login_page",
    hint:
      d.deployment === "dc"
        ? `an SSO proxy is in front of the API: use a personal access token (--type pat), or a browser session cookie (--type cookie), and check the site URL ${d.site}`
        : `check the site URL ${d.site}; behind SSO, use an API token (--type api-token) or OAuth (--type oauth)`,
  });
}

function isProxyConfigured(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]) {
    if (env[name]) return name;
  }
  return undefined;
}

/**
 * A thrown error (network, TLS, timeout) while verifying, as one error with the fix. The network never
 * judged the credential: those are failures (exit 1, as on every other command), not AuthErrors (exit 4).
 */
export function diagnoseError(error: unknown, d: DiagnoseContext, env: NodeJS.ProcessEnv = {}): ConflError {
  if (error instanceof AuthError || (error instanceof ConflError && error.code.startsWith("auth.")))
    return error;
  const { codes, names, messages } = errorChain(error);
  // Class names do not survive minification: branch on instanceof and on the fields the HTTP errors carry.
  if (error instanceof TlsError) names.push("TlsError");
  if (error instanceof TimeoutError) names.push("TimeoutError");
  if (error instanceof InvalidResponseError) names.push("InvalidResponseError");
  if (error instanceof NetworkError && error.networkCode) codes.push(error.networkCode);
  if (error instanceof TlsError && error.networkCode) codes.push(error.networkCode);
  if (error instanceof TlsError && error.problem === "expired") codes.push("CERT_HAS_EXPIRED");
  if (error instanceof TlsError && error.problem === "hostname_mismatch")
    codes.push("ERR_TLS_CERT_ALTNAME_INVALID");
  const host = safeHost(d.apiBase);
  const has = (c: string) => codes.includes(c);
  // https:// to a port that speaks plain http: OpenSSL reads "HTTP/1.1 400" as a TLS record and says "wrong
  // version number" (or "packet length too long"). That is no certificate problem.
  if (
    d.apiBase.startsWith("https:") &&
    (has("ERR_SSL_WRONG_VERSION_NUMBER") ||
      has("ERR_SSL_PACKET_LENGTH_TOO_LONG") ||
      has("ERR_SSL_HTTP_REQUEST") ||
      messages.some((m) => /wrong version number|packet length too long|http request/i.test(m)))
  ) {
    return new ConflError(
      `the server did not answer TLS on this port (${host}): it speaks plain http there`,
      {
        code: "auth.not_tls",
        hint: "check the URL's port: give the server's https port, or http:// if this really is a plain-http server",
      },
    );
  }
  if (
    names.includes("TlsError") ||
    // EPROTO: a TLS record the other side could not read (a TLS-speaking proxy, a wrong port)
    codes.some((c) => isTlsErrorCode(c) || c === "EPROTO")
  ) {
    const altname = has("ERR_TLS_CERT_ALTNAME_INVALID");
    const expired = has("CERT_HAS_EXPIRED");
    return new ConflError(
      altname
        ? `the TLS certificate of ${host} is for a different host name`
        : expired
          ? `the TLS certificate of ${host} has expired`
          : `the TLS certificate of ${host} is signed by a CA this machine does not trust`,
      {
        code: "auth.tls",
        hint:
          altname || expired
            ? "check the site URL; if the certificate is really wrong, ask the server's admin to fix it"
            : "give your company's CA certificate (a PEM file) with --ca-file when you log in, or set CONFL_CA_FILE or NODE_EXTRA_CA_CERTS to it",
      },
    );
  }
  const proxy = isProxyConfigured(env);
  if (
    names.includes("ProxyError") ||
    (proxy && (has("ECONNREFUSED") || has("UND_ERR_SOCKET") || messages.some((m) => /proxy/i.test(m))))
  ) {
    return new ConflError(`could not reach ${host} through the proxy in ${proxy ?? "the proxy settings"}`, {
      code: "auth.proxy",
      hint: `check ${proxy ?? "HTTPS_PROXY"} (and NO_PROXY for hosts that must bypass it)`,
    });
  }
  if (has("ENOTFOUND") || has("EAI_AGAIN")) {
    return new ConflError(`cannot resolve the host name ${host}`, {
      code: "auth.dns",
      hint: "check the site URL for typos, and your network or VPN connection",
    });
  }
  if (has("ECONNREFUSED")) {
    return new ConflError(`${host} refused the connection`, {
      code: "auth.connection_refused",
      hint: "check the site URL and port; is the server running, or does it need a VPN?",
    });
  }
  if (
    names.includes("TimeoutError") ||
    has("ETIMEDOUT") ||
    has("UND_ERR_CONNECT_TIMEOUT") ||
    has("UND_ERR_HEADERS_TIMEOUT")
  ) {
    return new ConflError(`${host} did not answer in time`, {
      code: "auth.timeout",
      hint: "check your network, VPN or proxy settings (HTTPS_PROXY / NO_PROXY), then try again",
    });
  }
  if (names.includes("InvalidResponseError")) {
    return new AuthError(`${host} sent something that is not Confluence's JSON (a proxy or SSO page?)`, {
      code: "auth.html_login_page",
      hint: `check the site URL ${d.site}; behind SSO use a personal access token or a session cookie`,
    });
  }
  if (error instanceof HttpError) {
    const diagnosed = diagnoseResponse(
      { status: error.status, headers: error.headers, bodyText: error.bodySnippet, url: error.url },
      d,
    );
    if (diagnosed) return diagnosed;
  }
  return new ConflError(`could not reach ${host}: ${messages[messages.length - 1] ?? String(error)}`, {
    code: "auth.network",
    hint: "check the site URL, your network, and proxy settings (HTTPS_PROXY / NO_PROXY)",
  });
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
