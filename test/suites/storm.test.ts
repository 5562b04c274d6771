/**
 * An export under a 429 storm (issue 14): the simulator allows 10 requests a second on the API host and
 * answers the rest 429 with `Retry-After` 1 or 2 s in turn (what Atlassian's rate limiter sends:
 * https://developer.atlassian.com/cloud/confluence/rate-limiting/). The export must finish with every page
 * and attachment and exit 0, and a re-run under the same storm must be a no-op. Not timed: the time
 * against the rate-limit ideal is `npm run bench`'s figure (scripts/bench-storm.mjs).
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cloudEnv, confl, dcEnv, isolatedEnv, useSimulator } from "../support/context.js";

const PAGES = 500;
const ATTACHMENTS = 200;
const sim = useSimulator({
  settings: { bulkSpace: { key: "BULK", pages: PAGES, attachments: ATTACHMENTS } },
});

function files(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) n += files(path);
    else if (name !== ".confl-export.json") n++;
  }
  return n;
}

describe.each([
  ["Cloud", "site" as const],
  ["Data Center", "dc" as const],
])("export under a 429 storm (%s)", (_name, server) => {
  it("completes with every page and attachment, and a re-run fetches nothing again", async () => {
    const env = isolatedEnv(server === "site" ? cloudEnv(sim) : dcEnv(sim));
    const out = join(env.HOME, "out");
    sim.rateLimit({ server, requestsPerSecond: 10, retryAfter: ["1", "2"] });

    const first = await confl(["export", "--space", "BULK", "--out", out, "--json"], env, {
      timeoutMs: 120_000,
    });
    expect(first.code, first.stderr).toBe(0);
    const refused = sim.log.filter((e) => e.server === server && e.status === 429).length;
    // the storm really happened: confl was refused and waited
    expect(refused).toBeGreaterThan(0);
    const summary = JSON.parse(first.stdout);
    expect(summary.pages.written).toBe(PAGES);
    expect(summary.attachments.downloaded).toBe(ATTACHMENTS);
    expect(files(out)).toBe(PAGES + ATTACHMENTS);

    sim.clearLog();
    const again = await confl(["export", "--space", "BULK", "--out", out, "--json"], env, {
      timeoutMs: 120_000,
    });
    expect(again.code, again.stderr).toBe(0);
    const second = JSON.parse(again.stdout);
    expect(second.pages.written).toBe(0);
    expect(second.attachments.downloaded).toBe(0);
    // nothing was downloaded again (no page body or attachment bytes read)
    expect(sim.log.filter((e) => e.server === "media" || /\/download/.test(e.path))).toEqual([]);
  }, 180_000);
});
