/**
 * The shared simulator fixture (test/support/context.ts): one simulator for the file, and every test
 * starts from the settings, knobs and content given at start, whatever the test before it changed. The
 * tests run in order; the second and third look at what the first left behind.
 */
import { describe, expect, it } from "vitest";
import { cloudEnv, confl, isolatedEnv, useSimulator } from "./context.js";

const sim = useSimulator({ settings: { dcContextPath: "/wiki-dc" } });
let firstSite = "";

describe("useSimulator", () => {
  it("changes settings, knobs, content and the log (the next test must not see them)", async () => {
    firstSite = sim.origins.site;
    expect(sim.origins.dc).toMatch(/\/wiki-dc$/);
    sim.settings.dcContextPath = "/elsewhere";
    sim.settings.latencyMs = 250;
    sim.rateLimit({ count: 100 });
    sim.store.pages.length = 0;
    expect((await fetch(`${sim.origins.site}/_edge/tenant_info`)).status).toBe(429);
  });

  it("starts the next test from the settings given at start, with no knob and the seed content", async () => {
    expect(sim.origins.site).toBe(firstSite); // the same simulator, not a new one
    expect(sim.origins.dc).toMatch(/\/wiki-dc$/);
    expect(sim.settings.latencyMs).toBe(0);
    expect(sim.log).toEqual([]);
    expect(sim.store.pages.length).toBeGreaterThan(0);
    expect((await fetch(`${sim.origins.site}/_edge/tenant_info`)).status).toBe(200);
  });

  it("runs the built CLI with a private environment", async () => {
    const env = isolatedEnv(cloudEnv(sim));
    expect(env.HOME).not.toBe(process.env.HOME);
    const r = await confl(["space", "list", "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((s: { key: string }) => s.key)).toContain("DOC");
  });
});
