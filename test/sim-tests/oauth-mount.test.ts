/** The OAuth module (sim/oauth.ts, another workstream) is mounted on the auth origin and under DC. */
import { describe, expect, it } from "vitest";
import { useSimulator } from "../support/context.js";
import { call, type Json } from "./helpers.js";

const sim = useSimulator();

describe("OAuth mount", () => {
  it("client credentials from the auth origin open the gateway, not the site", async () => {
    const token = await call(`${sim.origins.auth}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: sim.credentials.oauth.clientId,
        client_secret: sim.credentials.oauth.clientSecret,
        audience: "api.atlassian.com",
      }),
    });
    expect(token.status).toBe(200);
    const accessToken = (token.json as Json).access_token as string;
    expect(sim.tokens.lookup(accessToken)?.kind).toBe("client-credentials");
    const headers = { authorization: `Bearer ${accessToken}` };
    const pages = await call(
      `${sim.origins.gateway}/ex/confluence/${sim.cloudId}/wiki/api/v2/pages?limit=1`,
      { headers },
    );
    expect(pages.status).toBe(200);
    expect((await call(`${sim.origins.site}/wiki/api/v2/pages?limit=1`, { headers })).status).toBe(401);
  });

  it("unknown paths on the auth origin are 404; DC OAuth paths reach the module", async () => {
    expect((await call(`${sim.origins.auth}/nothing-here`)).status).toBe(404);
    const dc = await call(`${sim.origins.dc}/rest/oauth2/latest/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=authorization_code&code=fake-unknown-code",
    });
    expect(dc.status).not.toBe(404);
    expect(dc.status).toBeGreaterThanOrEqual(400);
  });
});
