/**
 * The pipeline against the simulator's fault and rate-limit knobs: the same behaviours the loopback
 * tests pin, now with the simulator's Atlassian-shaped bodies and headers.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../src/http/client.js";
import {
  InvalidResponseError,
  NetworkError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnauthorizedError,
} from "../../src/http/errors.js";
import { useSimulator } from "../support/context.js";
import { basicAuth, fakeClock } from "./helpers.js";

const sim = useSimulator();
beforeEach(() => {
  sim.reset();
  sim.clearLog();
});

function siteClient(extra: Record<string, unknown> = {}) {
  const clock = fakeClock();
  const client = createHttpClient({
    apiBase: `${sim.origins.site}/wiki/`,
    auth: basicAuth(sim.credentials.cloud.email, sim.credentials.cloud.apiToken),
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0.5,
    env: {},
    ...extra,
  });
  return { client, clock };
}

describe("simulator knobs", () => {
  it.each([
    ["0", 1000],
    ["-5", 1000],
    ["3", 3000],
  ])("429 with Retry-After %s: 3 attempts, each wait ≥ %i ms", async (retryAfter, floor) => {
    sim.rateLimit({ server: "site", count: 2, retryAfter });
    const { client, clock } = siteClient();
    const res = await client.request({ path: "rest/api/user/current" });
    expect(res.status).toBe(200);
    expect(sim.log).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
    for (const ms of clock.sleeps) expect(ms).toBeGreaterThanOrEqual(floor);
  });

  it("429 with a huge Retry-After: one attempt, RateLimitError", async () => {
    sim.rateLimit({ server: "site", count: 3, retryAfter: "99999" });
    const { client, clock } = siteClient();
    const error = await client.request({ path: "rest/api/user/current" }).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(sim.log).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("429 without Retry-After: exponential backoff", async () => {
    sim.rateLimit({ server: "site", count: 2 });
    const { client, clock } = siteClient();
    await client.request({ path: "rest/api/user/current" });
    expect(clock.sleeps).toEqual([2000, 4000]);
  });

  it("503 on GET retried; on POST not retried with a clear error", async () => {
    sim.fault({
      server: "site",
      method: "GET",
      count: 1,
      fault: { type: "status", status: 503, retryAfter: "1" },
    });
    const { client } = siteClient();
    expect((await client.request({ path: "api/v2/spaces" })).status).toBe(200);
    expect(sim.log).toHaveLength(2);
    sim.clearLog();
    sim.fault({ server: "site", method: "POST", count: 1, fault: { type: "status", status: 503 } });
    const error = await client
      .request({
        method: "POST",
        path: "api/v2/pages",
        json: { spaceId: "98305", title: "Dup?", body: { representation: "storage", value: "" } },
      })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ServerError);
    expect(error.message).toMatch(
      /POST is not idempotent, so it was not retried; the request may or may not have been applied/,
    );
    expect(sim.log).toHaveLength(1);
  });

  it("a reset is retried on GET and reported on POST", async () => {
    sim.fault({ server: "site", count: 1, fault: { type: "reset" } });
    const { client } = siteClient();
    expect((await client.request({ path: "rest/api/user/current" })).status).toBe(200);
    sim.fault({ server: "site", count: 1, fault: { type: "reset" } });
    const error = await client.request({ method: "POST", path: "api/v2/pages", json: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
  });

  it("a slow answer times out (TimeoutError) after maxRetries", async () => {
    sim.fault({ server: "site", count: 2, fault: { type: "delay", ms: 2000 } });
    const { client } = siteClient({ timeoutMs: 200, maxRetries: 1 });
    await expect(client.request({ path: "rest/api/user/current" })).rejects.toBeInstanceOf(TimeoutError);
  });

  it("truncated JSON and an HTML page are InvalidResponseErrors", async () => {
    sim.fault({ server: "site", count: 1, fault: { type: "truncated-json" } });
    const { client } = siteClient();
    const truncated = await client.request({ path: "rest/api/user/current" }).catch((e) => e);
    expect(truncated).toBeInstanceOf(InvalidResponseError);
    sim.fault({ server: "site", count: 1, fault: { type: "html" } });
    const html = await client.request({ path: "rest/api/user/current" }).catch((e) => e);
    expect(html).toBeInstanceOf(InvalidResponseError);
    expect(html.message).toMatch(/HTML page/);
  });

  it("the attachment download redirect to the media host carries no credential (simulator log)", async () => {
    const { client } = siteClient();
    const res = await client.request<Uint8Array>({
      path: "rest/api/content/65538/child/attachment/att131073/download",
      responseType: "bytes",
      headers: { cookie: "JSESSIONID=fake-session-0111" },
    });
    expect(res.status).toBe(200);
    expect(res.data.byteLength).toBeGreaterThan(0);
    const site = sim.log.find((e) => e.server === "site")!;
    expect(site.headers.authorization).toMatch(/^Basic /);
    const media = sim.log.filter((e) => e.server === "media");
    expect(media).toHaveLength(1);
    expect(media[0]!.headers.authorization).toBeUndefined();
    expect(media[0]!.headers.cookie).toBeUndefined();
    expect(JSON.stringify(media[0]!.headers)).not.toContain(sim.credentials.cloud.apiToken);
  });

  it("a classic-scoped token on a v2 gateway route gets the scope-mismatch 401, parsed from the gateway envelope", async () => {
    const client = createHttpClient({
      apiBase: `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/`,
      auth: basicAuth(sim.credentials.cloud.email, sim.credentials.cloud.scopedTokenClassic),
      env: {},
    });
    const error = await client.request({ path: "api/v2/pages" }).catch((e) => e);
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error.envelope).toBe("gateway");
    expect(error.atlassianMessage).toMatch(/scope does not match/);
    expect(error.exitCode).toBe(4);
  });
});
