/**
 * property list|get|set|delete on the three deployments. Properties carry their own version numbers;
 * a stale write is refused naming both versions.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { basic, call } from "../sim-tests/helpers.js";
import { useSimulator } from "../support/context.js";
import { type Deployment, deployments, expectApiChoice, writes } from "./deployments.js";
import { confl } from "./helpers.js";

const sim = useSimulator();

/** Someone else writes the property's next version directly. */
async function bumpProperty(d: Deployment, value: unknown): Promise<void> {
  const answer =
    d.server === "dc"
      ? await call(`${sim.origins.dc}/rest/api/content/65538/property/release-meta`, {
          method: "PUT",
          headers: { authorization: `Bearer ${sim.credentials.dc.pat}`, "content-type": "application/json" },
          body: JSON.stringify({ key: "release-meta", value, version: { number: 3 } }),
        })
      : await call(`${sim.origins.site}/wiki/api/v2/pages/65538/properties/400001`, {
          method: "PUT",
          headers: {
            authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.apiToken),
            "content-type": "application/json",
          },
          body: JSON.stringify({ key: "release-meta", value, version: { number: 3 } }),
        });
  expect(answer.status, answer.text).toBe(200);
}

for (const d of deployments) {
  describe(d.name, () => {
    let env: NodeJS.ProcessEnv & { HOME?: string };
    beforeEach(async () => {
      env = await d.env(sim);
      sim.clearLog();
    });
    const json = async (args: string[], stdin = "") => {
      const run = await confl([...args, "--json"], env, stdin);
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout);
    };

    it("list and get", async () => {
      const list = await json(["property", "list", "65538"]);
      expect(list).toEqual([
        {
          pageId: "65538",
          id: "400001",
          key: "release-meta",
          value: { owner: "ada", due: "2026-12-01" },
          version: { number: 2, createdAt: expect.any(String), message: "" },
        },
      ]);
      const value = await confl(["property", "get", "65538", "release-meta"], env);
      expect(value.stdout).toBe('{"owner":"ada","due":"2026-12-01"}\n');
      expect((await json(["property", "get", "DOC:Release checklist", "release-meta"])).version.number).toBe(
        2,
      );
      const piped = await confl(["property", "list", "65538"], env);
      expect(piped.stdout).toBe('release-meta\t2\t{"owner":"ada","due":"2026-12-01"}\n');
      expectApiChoice(sim, d);
    });

    it("set creates (version 1), then writes version n+1; --value-file and stdin", async () => {
      const created = await json(["property", "set", "65538", "reviewed", "--value", "true"]);
      expect(created).toMatchObject({
        key: "reviewed",
        value: true,
        version: { number: 1 },
        previousVersion: null,
      });
      const updated = await json([
        "property",
        "set",
        "65538",
        "release-meta",
        "--value",
        '{"owner":"grace"}',
      ]);
      expect(updated).toMatchObject({
        value: { owner: "grace" },
        version: { number: 3 },
        previousVersion: 2,
      });
      const file = join(env.HOME!, "v.json");
      writeFileSync(file, "[1, 2, 3]\n");
      expect((await json(["property", "set", "65538", "reviewed", "--value-file", file])).value).toEqual([
        1, 2, 3,
      ]);
      expect(
        (await json(["property", "set", "65538", "reviewed", "--value-file", "-"], '"text"')).value,
      ).toBe("text");
      expect((await json(["property", "get", "65538", "reviewed"])).version.number).toBe(3);
      expectApiChoice(sim, d);
    });

    it("set after another writer: refused with both versions, their value stays", async () => {
      sim.fault({
        method: "PUT",
        pathPattern: /propert/,
        fault: { type: "before", run: () => bumpProperty(d, "theirs") },
      });
      const run = await confl(
        ["property", "set", "65538", "release-meta", "--value", '"mine"', "--json"],
        env,
      );
      expect(run.code, run.stderr).toBe(1);
      expect(JSON.parse(run.stderr).error).toMatchObject({
        code: "conflict.version",
        details: { pageId: "65538", key: "release-meta", baseVersion: 2, currentVersion: 3 },
      });
      expect((await json(["property", "get", "65538", "release-meta"])).value).toBe("theirs");
    });

    it.each([
      ["not JSON", ["--value", "{oops"], 2, /the value is not JSON/],
      ["no value", [], 2, /give the value with --value JSON or --value-file FILE/],
      [
        "a missing file",
        ["--value-file", "/nonexistent.json"],
        2,
        /cannot read the value file \/nonexistent.json: no such file/,
      ],
    ])("set with %s: exit %i, nothing written", async (_name, extra, code, message) => {
      const run = await confl(["property", "set", "65538", "k", ...extra], env);
      expect(run.code).toBe(code);
      expect(run.stderr).toMatch(message);
      expect(writes(sim)).toEqual([]);
    });

    it("get and delete of a missing key, or on a missing page: exit 1", async () => {
      const missing = await confl(["property", "get", "65538", "nope"], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/property "nope" on page 65538 not found/);
      const noPage = await confl(["property", "get", "99999", "k"], env);
      expect(noPage.code).toBe(1);
      expect(noPage.stderr).toMatch(/page 99999 not found/);
      expect((await confl(["property", "delete", "65538", "nope", "--yes"], env)).code).toBe(1);
    });

    it("delete needs --yes without a terminal; with it the property is gone", async () => {
      const refused = await confl(["property", "delete", "65538", "release-meta"], env);
      expect(refused.code).toBe(2);
      expect(writes(sim)).toEqual([]);
      expect(await json(["property", "delete", "65538", "release-meta", "--yes"])).toMatchObject({
        key: "release-meta",
      });
      expect(await json(["property", "list", "65538"])).toEqual([]);
    });
  });
}
