/**
 * The three deployments every command is tested on: a Cloud site with a classic token, the API gateway
 * with a scoped token (v1 content routes answer 410 there) and Data Center under /confluence with a PAT.
 * Also: a second writer that changes a page behind confl's back, through the site or DC directly.
 */
import { expect } from "vitest";
import type { Simulator } from "../../sim/types.js";
import { basic, call, type Json } from "../sim-tests/helpers.js";
import { cloudEnv, dcEnv, gatewayEnv, isolatedEnv } from "../support/context.js";

export interface Deployment {
  name: string;
  server: "site" | "gateway" | "dc";
  env(sim: Simulator): Promise<NodeJS.ProcessEnv>;
}

/** A private HOME, config directory and netrc (test/support/context.ts). */
export function isolated(): NodeJS.ProcessEnv & { HOME: string } {
  return isolatedEnv({}, "confl-cmds-");
}

export const deployments: Deployment[] = [
  {
    name: "Cloud site, classic API token",
    server: "site",
    async env(sim) {
      return { ...isolated(), ...cloudEnv(sim) };
    },
  },
  {
    name: "API gateway, scoped token",
    server: "gateway",
    async env(sim) {
      return gatewayEnv(sim, isolated());
    },
  },
  {
    name: "Data Center under /confluence, PAT",
    server: "dc",
    async env(sim) {
      return { ...isolated(), ...dcEnv(sim) };
    },
  },
];

/** Requests that carried a credential (the ones confl made, not the site probe). */
export function authenticated(sim: Simulator) {
  return sim.log.filter((e) => e.headers.authorization || e.headers.cookie);
}

/**
 * Cloud must not use the v1 content routes the gateway removed (content CRUD goes through v2); DC uses
 * v1 (and the attachment download servlet) under its context path only; every request went to the
 * deployment's own server.
 */
export function expectApiChoice(sim: Simulator, d: Deployment): void {
  const requests = authenticated(sim);
  expect(requests.length).toBeGreaterThan(0);
  for (const entry of requests) expect(entry.server, `${entry.method} ${entry.path}`).toBe(d.server);
  for (const entry of requests) {
    if (d.server === "dc") expect(entry.path).toMatch(/^\/confluence\/(rest\/api\/|download\/attachments\/)/);
    else expect(entry.path, entry.path).not.toMatch(/\/wiki\/rest\/api\/(content|space)(\/\d+)?(\?|$)/);
  }
}

/** The requests that would change something. */
export function writes(sim: Simulator) {
  return sim.log.filter((e) => !["GET", "HEAD", "OPTIONS"].includes(e.method));
}

/** Another person saves the page (title unchanged, new body): a real PUT with version current+1. */
export async function anotherWriter(
  sim: Simulator,
  d: Deployment,
  id: string,
  body: string,
): Promise<number> {
  if (d.server === "dc") {
    const auth = { authorization: `Bearer ${sim.credentials.dc.pat}` };
    const page: Json = (
      await call(`${sim.origins.dc}/rest/api/content/${id}?expand=version`, { headers: auth })
    ).json;
    const put = await call(`${sim.origins.dc}/rest/api/content/${id}`, {
      method: "PUT",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({
        type: "page",
        title: page.title,
        version: { number: page.version.number + 1, message: "someone else" },
        body: { storage: { value: body, representation: "storage" } },
      }),
    });
    expect(put.status, put.text).toBe(200);
    return page.version.number + 1;
  }
  const auth = { authorization: basic(sim.credentials.cloud.email, sim.credentials.cloud.apiToken) };
  const page: Json = (await call(`${sim.origins.site}/wiki/api/v2/pages/${id}`, { headers: auth })).json;
  const put = await call(`${sim.origins.site}/wiki/api/v2/pages/${id}`, {
    method: "PUT",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({
      id,
      status: "current",
      title: page.title,
      body: { representation: "storage", value: body },
      version: { number: page.version.number + 1, message: "someone else" },
    }),
  });
  expect(put.status, put.text).toBe(200);
  return page.version.number + 1;
}
