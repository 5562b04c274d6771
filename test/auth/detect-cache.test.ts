import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Detection } from "../../src/auth/detect.js";
import {
  DETECTION_TTL_MS,
  detectionCachePath,
  forgetCachedDetection,
  readCachedDetection,
  writeCachedDetection,
} from "../../src/auth/detect-cache.js";
import { tempDir } from "../support/context.js";

const dc: Detection = {
  deployment: "dc",
  site: "https://wiki.corp.example/confluence",
  apiBase: "https://wiki.corp.example/confluence/",
  evidence: "rest/api/server-information (401)",
};
const key = dc.site;

describe("detection cache", () => {
  it("keeps an answer for a day, then forgets it; entries are private and hold only the detection", async () => {
    const env = { CONFL_CONFIG_DIR: join(tempDir(), "config") };
    const t0 = 1_800_000_000_000;
    await writeCachedDetection(env, key, dc, t0);
    expect(await readCachedDetection(env, key, t0 + 1000)).toMatchObject({
      deployment: "dc",
      apiBase: dc.apiBase,
      site: dc.site,
    });
    expect(await readCachedDetection(env, "https://other.example", t0)).toBeUndefined();
    expect(await readCachedDetection(env, key, t0 + DETECTION_TTL_MS + 1)).toBeUndefined();
    // a clock set back a long way does not make an entry live for ever
    expect(await readCachedDetection(env, key, t0 - 3_600_000)).toBeUndefined();
    const file = detectionCachePath(env);
    if (process.platform !== "win32") {
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(env.CONFL_CONFIG_DIR, ".")).mode & 0o777).toBe(0o700);
    }
    const stored = JSON.parse(readFileSync(file, "utf8")).entries[key];
    expect(Object.keys(stored).sort()).toEqual(["apiBase", "deployment", "detectedAt", "evidence", "site"]);
    await forgetCachedDetection(env, key);
    expect(await readCachedDetection(env, key, t0 + 1000)).toBeUndefined();
  });

  it("an entry is used only for its own site, with its API root on that site's origin", async () => {
    const env = { CONFL_CONFIG_DIR: join(tempDir(), "config") };
    const other = "https://wiki.other.example/confluence";
    // filed under this site but naming another, or an API root on another host: ignored
    await writeCachedDetection(env, key, { ...dc, site: other, apiBase: `${other}/` });
    expect(await readCachedDetection(env, key)).toBeUndefined();
    await writeCachedDetection(env, key, { ...dc, apiBase: "https://collector.example/confluence/" });
    expect(await readCachedDetection(env, key)).toBeUndefined();
    await writeCachedDetection(env, key, dc);
    expect(await readCachedDetection(env, key)).toMatchObject({ apiBase: dc.apiBase });
  });

  it("a Cloud answer without its cloudId (tenant_info failed this time) is not kept", async () => {
    const env = { CONFL_CONFIG_DIR: join(tempDir(), "config") };
    const site = "https://acme.atlassian.net";
    const cloud: Detection = { deployment: "cloud", site, apiBase: `${site}/wiki/`, evidence: "test" };
    await writeCachedDetection(env, site, cloud);
    expect(await readCachedDetection(env, site)).toBeUndefined();
    await writeCachedDetection(env, site, { ...cloud, cloudId: "fake-cloud-id-0001" });
    expect(await readCachedDetection(env, site)).toMatchObject({ cloudId: "fake-cloud-id-0001" });
  });

  it("a damaged or foreign file counts as no entry and is replaced on the next write", async () => {
    const env = { CONFL_CONFIG_DIR: join(tempDir(), "config") };
    mkdirSync(env.CONFL_CONFIG_DIR, { recursive: true, mode: 0o700 });
    const file = detectionCachePath(env);
    for (const text of [
      "{not json",
      "[]",
      JSON.stringify({ format: "other", entries: { [key]: dc } }),
      JSON.stringify({
        format: "confl-detection-cache",
        entries: { [key]: { ...dc, deployment: "mainframe", detectedAt: Date.now() } },
      }),
    ]) {
      writeFileSync(file, text, { mode: 0o600 });
      expect(await readCachedDetection(env, key)).toBeUndefined();
    }
    await writeCachedDetection(env, key, dc);
    expect((await readCachedDetection(env, key))?.deployment).toBe("dc");
  });
});
