import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runJq } from "../../src/output/jq.js";
import { cloudEnv, isolatedEnv, confl as runConfl, useSimulator } from "../support/context.js";

const _bundle = join(resolve(import.meta.dirname, "../.."), "dist/confl.mjs");
const sim = useSimulator();

/** The built CLI on the Cloud site with a private config directory (test/support/context.ts). */
function confl(args: string[]) {
  return runConfl(args, isolatedEnv(cloudEnv(sim), "confl-jq-"));
}

describe("--jq (built bundle, Cloud site)", () => {
  it("confl api api/v2/spaces --jq '.results[].key': raw strings, one per line", async () => {
    const r = await confl(["api", "api/v2/spaces", "--jq", ".results[].key"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").filter(Boolean)).toEqual(expect.arrayContaining(["DOC", "ENG"]));
    expect(r.stdout).not.toContain('"');
  });

  it("confl space list --jq 'map({key})': implies --json; objects compact when piped", async () => {
    const r = await confl(["space", "list", "--jq", "map({key})"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toEqual(expect.arrayContaining([{ key: "DOC" }]));
  });

  it("confl page view 65538 --jq .title works after the command's own flags", async () => {
    const r = await confl(["page", "view", "65538", "--jq", ".title"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("Release checklist\n");
  });

  it("confl api api/v2/spaces --jq '.results[': jq's compile error, one line, exit 2, nothing on stdout", async () => {
    const r = await confl(["api", "api/v2/spaces", "--jq", ".results["]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^confl: --jq: jq: error: syntax error.*line 1, column \d+\nhint: /);
  });

  it("confl api api/v2/spaces --jq '.results.a': jq's runtime error, exit 1", async () => {
    const r = await confl(["api", "api/v2/spaces", "--jq", ".results.a"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^confl: --jq: jq: error .*Cannot index array with/);
  });

  it("confl api -i api/v2/spaces --jq . : not JSON, exit 2; with --json the error is a JSON object", async () => {
    const r = await confl(["api", "-i", "api/v2/spaces", "--jq", "."]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^confl: --jq needs JSON output/);
    const j = await confl(["api", "-i", "api/v2/spaces", "--json", "--jq", "."]);
    expect(JSON.parse(j.stderr).error.code).toBe("usage");
  });

  it("confl auth token --jq .token (piped): the one deliberate secret print survives the jq capture", async () => {
    const r = await confl(["auth", "token", "--jq", ".token"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${sim.credentials.cloud.apiToken}\n`);
    // any other command's output stays redacted through --jq
    const echoed = await confl(["api", "rest/api/user/current", "--jq", ".email"]);
    expect(echoed.stdout).not.toContain(sim.credentials.cloud.apiToken);
  });

  it("a failing command prints its error, not a jq error, and no partial output", async () => {
    const r = await confl(["page", "view", "999999", "--jq", ".title"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain("--jq");
  });
});

describe("runJq", () => {
  it("pretty on a terminal, compact when piped; strings raw", async () => {
    const doc = JSON.stringify({ a: [1, { b: "x" }] });
    expect(await runJq(doc, ".a[1]", true)).toBe('{\n  "b": "x"\n}\n');
    expect(await runJq(doc, ".a[1]", false)).toBe('{"b":"x"}\n');
    expect(await runJq(doc, ".a[1].b", false)).toBe("x\n");
  });

  it("empty output is an error, not jq's null", async () => {
    await expect(runJq("", ".", false)).rejects.toThrow(/printed none/);
  });
});
