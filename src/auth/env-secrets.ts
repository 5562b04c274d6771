/**
 * The credentials in the environment, registered with the redactor before any command runs, so they are
 * redacted from the first byte written (a usage error, an early failure), not only once a command has
 * loaded them. Its own small module: main.ts calls it on every run, and start-up must not pay for the
 * rest of auth (resolve, kinds, detection, the HTTP client) to do it.
 */
import { registerCookieSecret, registerSecret } from "../redact.js";

/** Every variable that can carry a credential (resolve, OAuth login, the encrypted store, proxies). */
export const SECRET_VARIABLES = [
  "CONFLUENCE_API_TOKEN",
  "CONFLUENCE_PERSONAL_TOKEN",
  "CONFLUENCE_PASSWORD",
  "ATLASSIAN_API_TOKEN",
  "JIRA_API_TOKEN",
  "JIRA_PERSONAL_TOKEN",
  "CONFL_OAUTH_CLIENT_SECRET",
  "CONFL_PASSPHRASE",
] as const;
const PROXY_VARIABLES = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];

export function registerEnvironmentSecrets(env: NodeJS.ProcessEnv): void {
  for (const variable of SECRET_VARIABLES) registerSecret(env[variable], variable);
  registerCookieSecret(env.CONFLUENCE_COOKIE, "CONFLUENCE_COOKIE");
  for (const variable of PROXY_VARIABLES) {
    const value = env[variable];
    if (!value) continue;
    try {
      const password = new URL(value).password;
      registerSecret(password, `the password in ${variable}`);
      registerSecret(decodeURIComponent(password), `the password in ${variable}`);
    } catch {
      // not a URL: the HTTP layer reports it
    }
  }
}
