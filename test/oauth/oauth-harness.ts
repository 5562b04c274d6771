/**
 * Mounts ONLY the simulator's OAuth routes (sim/oauth.ts) on two loopback servers, with an
 * in-memory token registry, so the authorization server can be tested without the rest of the
 * simulator. End-to-end tests use startSimulator() instead.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createOAuthRoutes, type OAuthRoutes } from "../../sim/oauth.js";
import type { BearerGrant, OAuthRouteContext, SimHandler, SimSettings, SimUser } from "../../sim/types.js";

export interface OAuthHarness {
  authOrigin: string;
  dcBase: string;
  routes: OAuthRoutes;
  grants: Map<string, BearerGrant>;
  context: OAuthRouteContext;
  stop(): Promise<void>;
}

const cloudUser: SimUser = {
  accountId: "557058:fake-account-0001",
  email: "alice@example.com",
  displayName: "Alice Example",
  username: "alice",
  userKey: "fake-user-key-0001",
};

async function serve(handler: SimHandler): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
      const handled = await handler(req, res, url, Buffer.concat(chunks));
      if (!handled && !res.headersSent) res.writeHead(404).end("not found");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export async function startOAuthHarness(settings: Partial<SimSettings> = {}): Promise<OAuthHarness> {
  const grants = new Map<string, BearerGrant>();
  let routes: OAuthRoutes | undefined;
  const auth = await serve((req, res, url, body) => (routes as OAuthRoutes).auth(req, res, url, body));
  const dc = await serve((req, res, url, body) => (routes as OAuthRoutes).dc(req, res, url, body));
  const context: OAuthRouteContext = {
    origins: {
      site: "http://127.0.0.1:1",
      gateway: "http://127.0.0.1:1",
      auth: auth.origin,
      media: "http://127.0.0.1:1",
      dcOrigin: dc.origin,
      dc: `${dc.origin}/confluence`,
      jiraDcOrigin: "http://127.0.0.1:1",
      jiraDc: "http://127.0.0.1:1/jira",
    },
    settings: {
      cloudAnonymousAccess: false,
      dcAnonymousAccess: false,
      captchaAfterFailures: 3,
      latencyMs: 0,
      dcContextPath: "/confluence",
      jiraDcContextPath: "/jira",
      dcRejectNocheck: false,
      jiraPatTokens: [],
      backupAndRestore: true,
      backupPollsToComplete: 2,
      oauthAccessTokenTtl: 3600,
      cloudBasicAuthDisabled: false,
      dcBasicAuthDisabled: false,
      oauthAnyLoopbackPort: false,
      ...settings,
    },
    credentials: {
      cloud: {
        email: "",
        apiToken: "",
        scopedToken: "",
        scopedTokenScopes: [],
        scopedTokenClassic: "",
        expiredApiToken: "",
      },
      dc: { username: "", password: "", pat: "", sessionCookie: "" },
      jiraDc: { username: "", password: "", pat: "" },
      oauth: {
        clientId: "fake-oauth-client-id-0001",
        clientSecret: "fake-oauth-client-secret-0001",
        redirectUris: ["http://127.0.0.1:8976/callback", "https://app.example.com/callback"],
      },
    },
    users: { cloud: cloudUser, dc: { ...cloudUser, username: "alice.dc" } },
    cloudId: "fake-cloud-id-0001",
    tokens: {
      grant: (g) => grants.set(g.token, g),
      lookup: (t) => grants.get(t),
      revoke: (t) => grants.delete(t),
    },
  };
  routes = createOAuthRoutes(context);
  return {
    authOrigin: auth.origin,
    dcBase: `${dc.origin}/confluence`,
    routes,
    grants,
    context,
    async stop() {
      for (const s of [auth.server, dc.server]) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
