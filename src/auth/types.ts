/**
 * The auth-strategy contract (the Octokit auth shape): every credential kind is one module that can
 * say what it is and apply itself to a request. The HTTP pipeline knows nothing about kinds.
 */

export type CredentialKind =
  | "api-token"
  | "scoped-token"
  | "pat"
  | "password"
  | "cookie"
  | "none"
  | "oauth"
  | "client-credentials";

export interface AuthRequest {
  url: URL;
  method: string;
  headers: Headers;
}

/** The 401 a strategy is told about: enough to tell an expired token from a refusal that is not about expiry. */
export interface UnauthorizedResponse {
  headers: Headers;
  /** the first few KiB of the body */
  bodyText: string;
}

export interface AuthStrategy {
  readonly kind: CredentialKind;
  /** One line for people, never the secret: "API token (Basic) for alice@example.com". */
  describe(): string;
  /** Apply the credential to one outgoing request; may refresh first (OAuth). */
  apply(request: AuthRequest): Promise<void>;
  /**
   * Called once after a 401, with what the 401 said. Resolve true when the credential changed (e.g.
   * refreshed) and the request should be sent once more; false to let the 401 stand.
   */
  onUnauthorized?(response?: UnauthorizedResponse): Promise<boolean>;
  /** Lower-case names of the headers this strategy writes; dropped on cross-origin redirects. */
  readonly headerNames: readonly string[];
  /** Every secret value held, so debug logs and error messages can redact them. */
  secrets(): readonly string[];
}

/**
 * What a SecretStore holds for one profile (serialised as JSON under the profile's name). Only this
 * object ever carries secret values; the profile in config.json says which store holds it.
 */
export type StoredSecret =
  | { kind: "api-token"; token: string }
  | { kind: "scoped-token"; token: string }
  | { kind: "pat"; token: string; cookie?: string }
  | { kind: "password"; password: string }
  | { kind: "cookie"; cookie: string; token?: string }
  | {
      kind: "oauth";
      accessToken: string;
      refreshToken?: string;
      /** ms since epoch */
      expiresAt?: number;
      scopes?: string[];
      clientSecret?: string;
      /** ms since epoch when the access token was issued (refresh skew scales with its lifetime) */
      obtainedAt?: number;
    }
  | {
      kind: "client-credentials";
      clientSecret: string;
      accessToken?: string;
      expiresAt?: number;
      scopes?: string[];
      obtainedAt?: number;
    };
