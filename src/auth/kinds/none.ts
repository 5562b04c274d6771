/** No credential: a reverse proxy in front of Confluence adds authentication (or the site is public). */
import type { AuthStrategy } from "../types.js";
import type { KindDescriptor } from "./descriptor.js";

export function createNoneStrategy(): AuthStrategy {
  return {
    kind: "none",
    headerNames: [],
    describe: () => "no credential (a proxy adds authentication)",
    async apply() {},
    secrets: () => [],
  };
}

export const noneKind: KindDescriptor<"none"> = {
  kind: "none",
  explanation: "No credential: a reverse proxy in front of Confluence adds authentication",
  apiRoot: "site",
  secretFields: [],
  secretFrom: "nobody",
  verification: "identity",
  strategy: () => createNoneStrategy(),
};
