/**
 * PKCE (RFC 7636, S256) and the `state` value. Atlassian Cloud still requires the client secret at the
 * token endpoint (OAUTH20-2491, confluence-api.md §4.2); PKCE is sent as well because it costs nothing
 * and Data Center's provider checks it.
 */
import { createHash, randomBytes } from "node:crypto";

export interface PkcePair {
  verifier: string;
  challenge: string;
  method: "S256";
}

export function createPkcePair(): PkcePair {
  // 32 random bytes → 43 base64url characters, the minimum length RFC 7636 §4.1 allows.
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  return { verifier, challenge, method: "S256" };
}

export function createState(): string {
  return randomBytes(16).toString("base64url");
}
