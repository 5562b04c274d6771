/** No credential: a reverse proxy in front of Confluence adds authentication (or the site is public). */
import type { AuthStrategy } from "../types.js";

export function createNoneStrategy(): AuthStrategy {
  return {
    kind: "none",
    headerNames: [],
    describe: () => "no credential (a proxy adds authentication)",
    async apply() {},
    secrets: () => [],
  };
}
