/**
 * Pieces every credential kind shares: the plain-http guard and the Basic header.
 */
import { AuthError } from "../../errors.js";
import { registerSecret } from "../../redact.js";
import { isLoopbackHost } from "../site-url.js";

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

export function basicAuthorization(user: string, secret: string): string {
  const encoded = Buffer.from(`${user}:${secret}`, "utf8").toString("base64");
  registerSecret(secret);
  registerSecret(encoded);
  return `Basic ${encoded}`;
}
