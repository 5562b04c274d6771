/**
 * Pieces every credential kind shares: the plain-http guard, the Basic header and the Basic strategy.
 */
import { AuthError } from "../../errors.js";
import { isLoopbackHost, type OutgoingRequest, plainHttpRefusal } from "../../http/plain-http-guard.js";
import { registerSecret } from "../../redact.js";
import type { AuthStrategy, CredentialKind } from "../types.js";

/**
 * A Basic or Bearer credential over plain http:// can be read by anyone on the path. Loopback is
 * exempt (local proxies, the test simulator).
 */
export function assertSafeTransport(url: URL, what: string): void {
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
    throw new AuthError(`refusing to send ${what} over plain http:// to ${url.host}`, {
      code: "auth.insecure_transport",
      hint: "use the https:// address of the site (confl only sends credentials over http to this machine)",
    });
  }
}

/**
 * The plain-http guard of the API pipeline for requests made outside it (the OAuth helper calls): decided
 * on the headers and body actually sent, whether a proxy carries the request, and what a `*.localhost`
 * name resolves to. Same error as assertSafeTransport.
 */
export async function assertClearTextSafe(request: OutgoingRequest, env: NodeJS.ProcessEnv): Promise<void> {
  const refusal = await plainHttpRefusal(request, env);
  if (refusal) throw new AuthError(refusal.message, { code: "auth.insecure_transport", hint: refusal.hint });
}

export function basicAuthorization(user: string, secret: string): string {
  const encoded = Buffer.from(`${user}:${secret}`, "utf8").toString("base64");
  registerSecret(secret);
  registerSecret(encoded);
  return `Basic ${encoded}`;
}

/** `Authorization: Basic user:secret` (API tokens on Cloud, passwords on Data Center). */
export function createBasicStrategy(options: {
  kind: CredentialKind;
  user: string;
  secret: string;
  /** for the plain-http refusal: "an API token", "a password" */
  what: string;
  description: string;
}): AuthStrategy {
  registerSecret(options.secret);
  const header = basicAuthorization(options.user, options.secret);
  return {
    kind: options.kind,
    headerNames: ["authorization"],
    describe: () => options.description,
    async apply(request) {
      assertSafeTransport(request.url, options.what);
      request.headers.set("authorization", header);
    },
    secrets: () => [options.secret, header.slice("Basic ".length)],
  };
}
