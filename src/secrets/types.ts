/**
 * Secret storage backends behind one interface: the OS keychain, a passphrase-encrypted file, and a
 * plain file (opt-in only). Values are opaque strings (the auth layer stores JSON), keyed by profile.
 */
import type { SecretStoreKind } from "../config/types.js";

export interface SecretStore {
  readonly kind: Exclude<SecretStoreKind, "none">;
  /** undefined when there is no entry; throws SecretStoreError when the store itself fails. */
  get(key: string): Promise<string | undefined>;
  /** Replaces any existing value. */
  set(key: string, value: string): Promise<void>;
  /** true when something was deleted. */
  delete(key: string): Promise<boolean>;
}
