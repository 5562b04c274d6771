/**
 * The shape of `config.json`. It never holds a secret: secrets live in a SecretStore, keyed by
 * profile name, and the profile only records which store holds them.
 */
import type { CredentialKind } from "../auth/types.js";

export type Deployment = "cloud" | "dc";

/** Where a profile's secret lives. "none" for kinds without a secret (a proxy adds auth). */
export type SecretStoreKind = "keychain" | "encrypted-file" | "plaintext" | "none";

export interface TlsSettings {
  /** PEM file with extra CA certificates to trust (self-signed or private CA). */
  caFile?: string;
  /** PEM client certificate for mTLS. */
  clientCert?: string;
  /** PEM private key for the client certificate. */
  clientKey?: string;
  /** Skip certificate verification (warned about on every use). */
  insecure?: boolean;
}

export interface OAuthSettings {
  clientId: string;
  scopes?: string[];
  /** Authorization server base (Cloud: auth.atlassian.com; DC: the instance base). */
  authServer?: string;
  callbackPort?: number;
}

/**
 * Jira on Data Center (issue 13): its own base URL and a credential of its own (Jira's PATs are not
 * Confluence's), kept in the same secret store under its own entry. On Cloud, Jira shares the site and the
 * profile's credential and needs nothing here.
 */
export interface JiraSettings {
  /** Jira's base URL with its context path, no trailing slash: https://jira.corp.example/jira */
  site: string;
  /** the API root, with a trailing slash */
  apiBase: string;
  kind: "pat" | "password";
  username?: string;
  secretStore: SecretStoreKind;
  /** the entry in that store: `<profile>#jira-<8 hex>` */
  secretEntry?: string;
  identity?: { displayName?: string; username?: string; verifiedAt?: string };
}

export interface Profile {
  name: string;
  /** The site as the user knows it, normalised: https://acme.atlassian.net or https://dc.example.com/confluence */
  site: string;
  deployment: Deployment;
  /**
   * The resolved API root: the URL under which `rest/api/...` (and on Cloud `api/v2/...`) live, with a
   * trailing slash. Cloud site: https://acme.atlassian.net/wiki/ ; gateway:
   * https://api.atlassian.com/ex/confluence/{cloudId}/wiki/ ; DC: https://dc.example.com/confluence/
   */
  apiBase: string;
  cloudId?: string;
  kind: CredentialKind;
  /** Cloud identity for Basic auth. */
  email?: string;
  /** DC username for password auth (and shown for PAT logins once known). */
  username?: string;
  secretStore: SecretStoreKind;
  /** the name of its secret's entry in that store (src/config/secret-entry.ts); absent: the profile's name */
  secretEntry?: string;
  tls?: TlsSettings;
  oauth?: OAuthSettings;
  /** Refuse every write with this profile, as --read-only does (for scripts and agents that only read). */
  readOnly?: boolean;
  /** Jira Data Center, when `confl auth login --product jira` added it */
  jira?: JiraSettings;
  /** What verification last learned, for `auth status` without a network call. */
  identity?: { displayName?: string; accountId?: string; username?: string; verifiedAt?: string };
  createdAt?: string;
}

export interface ConfigFile {
  version: 1;
  activeProfile?: string;
  profiles: Record<string, Profile>;
}
