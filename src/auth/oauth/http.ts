/**
 * The requests of an OAuth login and refresh that are not API calls (the token endpoint, accessible-resources,
 * a site's tenant_info) go through createHttpClient like every API call, so its guards apply in one place:
 * the request stays under its own URL (scope), redirects are not followed, credentials never go over plain
 * http to another machine, and --debug lines are masked and redacted. Never retried: a token request is not
 * idempotent (Atlassian rotates refresh tokens, so a replayed refresh would burn the new one:
 * https://developer.atlassian.com/cloud/confluence/oauth-2-3lo-apps/ "Use a refresh token to get another
 * access token and refresh token pair"; confluence-api.md §4.3), and the GETs answer a login a person can
 * run again.
 */
import type { FetchLike } from "../../http/transport.js";

export interface OAuthHttpOptions {
  /** the proxy variables and CONFL_CA_FILE the transport reads (the plain-http guard reads them too) */
  env: NodeJS.ProcessEnv;
  /** a transport already built (the login's, with its --ca-file and mTLS); default: one from `env` */
  fetch?: FetchLike | typeof fetch | undefined;
  /** --debug sink */
  debug?: ((line: string) => void) | undefined;
  timeoutMs?: number | undefined;
}

export interface OAuthHttpAnswer {
  status: number;
  headers: Headers;
  /** the body ("" when it could not be read) */
  text: string;
}

/**
 * One request, answered whatever its status (a 3xx included: it is not followed). Throws the client's typed
 * errors: NetworkError, TimeoutError, TlsError for the connection, UnsafeRequestError for a refused URL.
 */
export async function oauthHttp(
  url: string,
  request: { method: "GET" | "POST"; headers: Headers; body?: string },
  options: OAuthHttpOptions,
): Promise<OAuthHttpAnswer> {
  const { createHttpClient } = await import("../../http/client.js");
  const target = new URL(url);
  const folder = new URL(".", target);
  const client = createHttpClient({
    apiBase: folder,
    scope: [folder],
    env: options.env,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch as FetchLike } : {}),
    ...(options.debug ? { debug: options.debug } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const response = await client.request<ReadableStream<Uint8Array> | null>({
    method: request.method,
    path: target.href,
    headers: Object.fromEntries(request.headers),
    // bytes, not a string: --debug prints a string body, and a form-encoded secret may not match its
    // registered (redacted) spelling
    ...(request.body !== undefined
      ? { body: new TextEncoder().encode(request.body), credentialBody: true }
      : {}),
    idempotent: request.method === "GET",
    followRedirects: false,
    throwOnError: false,
    responseType: "stream",
    anonymous: true,
  });
  const text = await new Response(response.data).text().catch(() => "");
  return { status: response.status, headers: response.headers, text };
}

/** A 3xx: the helpers' requests are never redirected (a token request would carry its secret along). */
export function isRedirect(status: number): boolean {
  return status >= 300 && status < 400;
}
