// The OAuth scope table (src/auth/oauth/scopes.ts) is copied from the specs: every row's scopes are the
// operation's `x-atlassian-oauth2-scopes` ("Current", and on v1 the granular "Beta"), and the presets are
// built from it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CLOUD_SCOPE_NEEDS,
  DEFAULT_CLOUD_SCOPES,
  expandScopes,
  presetScopes,
  scopeNeedFor,
} from "../../src/auth/oauth/scopes.js";

type Operation = { "x-atlassian-oauth2-scopes"?: Array<{ state: string; scopes: string[] }> };
type Spec = { paths: Record<string, Record<string, Operation>> };
const specDir = join(import.meta.dirname, "..", "fixtures", "specs");
const specs: Record<"v1" | "v2", Spec> = {
  v1: JSON.parse(readFileSync(join(specDir, "confluence-cloud-v1.swagger.v3.json"), "utf8")),
  v2: JSON.parse(readFileSync(join(specDir, "confluence-cloud-v2.openapi-v2.v3.json"), "utf8")),
};

/** The spec's operation for a row, matching path templates whatever the parameters are called. */
function operation(spec: "v1" | "v2", method: string, path: string): Operation | undefined {
  const shape = (p: string) => p.replace(/\{[^}]+\}/g, "{}");
  const wanted = shape(spec === "v2" ? path.replace(/^\/wiki\/api\/v2/, "") : path);
  const key = Object.keys(specs[spec].paths).find((p) => shape(p) === wanted);
  return key ? specs[spec].paths[key]?.[method.toLowerCase()] : undefined;
}

describe("CLOUD_SCOPE_NEEDS", () => {
  it("every row's scopes are the ones its operation lists in the Cloud spec", () => {
    for (const row of CLOUD_SCOPE_NEEDS) {
      if (row.spec === "oauth") continue;
      const op = operation(row.spec, row.method, row.path);
      expect(op, `${row.method} ${row.path} in the ${row.spec} spec`).toBeDefined();
      const listed = op?.["x-atlassian-oauth2-scopes"] ?? [];
      expect(row.scopes.current, `${row.method} ${row.path}`).toEqual(
        listed.find((e) => e.state === "Current")?.scopes,
      );
      expect(row.scopes.beta, `${row.method} ${row.path}`).toEqual(
        listed.find((e) => e.state === "Beta")?.scopes,
      );
    }
  });

  it("confl auth login --type oauth --scopes read (the default) asks for every read operation's scopes and no write", () => {
    expect(DEFAULT_CLOUD_SCOPES).toEqual(presetScopes("read"));
    for (const row of CLOUD_SCOPE_NEEDS.filter((r) => r.preset === "read"))
      for (const scope of row.scopes.current) expect(DEFAULT_CLOUD_SCOPES).toContain(scope);
    expect(DEFAULT_CLOUD_SCOPES.filter((s) => /^(write|delete):/.test(s))).toEqual([]);
    expect(DEFAULT_CLOUD_SCOPES).toContain("offline_access");
  });

  it("confl auth login --type oauth --scopes write adds the write operations' scopes", () => {
    const write = expandScopes("write", "cloud");
    for (const row of CLOUD_SCOPE_NEEDS)
      for (const scope of row.scopes.current) expect(write).toContain(scope);
    expect(expandScopes("read,manage:confluence-configuration", "cloud")).toEqual([
      ...DEFAULT_CLOUD_SCOPES,
      "manage:confluence-configuration",
    ]);
    expect(expandScopes("read", "dc")).toEqual(["READ"]);
    expect(expandScopes("write", "dc")).toEqual(["WRITE"]);
  });

  it("finds the operation of a gateway URL (for scope hints)", () => {
    expect(
      scopeNeedFor(
        "GET",
        "https://api.atlassian.com/ex/confluence/c1/wiki/api/v2/pages/65538/direct-children",
      )?.scopes.current,
    ).toEqual(["read:hierarchical-content:confluence"]);
    expect(
      scopeNeedFor("GET", "https://api.atlassian.com/ex/confluence/c1/rest/api/search?cql=x")?.scopes,
    ).toEqual({
      current: ["search:confluence"],
      beta: ["read:content-details:confluence"],
    });
    expect(
      scopeNeedFor("GET", "https://api.atlassian.com/ex/confluence/c1/wiki/api/v2/whiteboards/1"),
    ).toBeUndefined();
  });
});
