/**
 * One registry of the secrets this process holds. Every credential, once loaded, is registered here;
 * everything printed to stderr (errors, --debug lines, stack traces) passes through redactText, so a
 * secret cannot leak through a message that happened to quote it.
 */

const secrets = new Set<string>();

/** Secrets shorter than this are not registered: replacing "a" everywhere would garble output. */
const MIN_SECRET_LENGTH = 4;

export function registerSecret(value: string | undefined | null): void {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  secrets.add(value);
  // A Basic header carries base64(user:secret); register the encoded forms callers may print.
  const encoded = Buffer.from(value).toString("base64");
  if (encoded.length >= MIN_SECRET_LENGTH) secrets.add(encoded.replace(/=+$/, ""));
  const uriEncoded = encodeURIComponent(value);
  if (uriEncoded !== value) secrets.add(uriEncoded);
}

/** For tests: forget everything registered. */
export function clearRegisteredSecrets(): void {
  secrets.clear();
}

const PATTERNS: Array<[RegExp, string]> = [
  // Authorization / Proxy-Authorization header values, whatever the scheme.
  [
    /\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)(basic|bearer|token|negotiate)\s+[^\s"',;]+/gi,
    "$1$2$3 ***",
  ],
  // Cookie headers: keep names, hide values.
  [/\b(cookie|set-cookie)(["']?\s*[:=]\s*["']?)([^\r\n"]*)/gi, "$1$2***"],
  // Tokens in query strings or form bodies.
  [
    /([?&;\s"]|^)((?:access_token|refresh_token|id_token|token|client_secret|password|passphrase|code|code_verifier|jwt)=)[^&\s"#]+/gi,
    "$1$2***",
  ],
  // Tokens in JSON bodies.
  [
    /("(?:access_token|refresh_token|id_token|token|client_secret|password|passphrase|code|code_verifier|accessToken|refreshToken|clientSecret)"\s*:\s*")[^"]*(")/g,
    "$1***$2",
  ],
  // user:password@ in URLs (proxy URLs).
  [/(\b[a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi, "$1$2:***@"],
];

export function redactText(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join("***");
  }
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
