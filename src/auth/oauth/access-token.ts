/**
 * A bring-your-own OAuth access token (--with-token): no app, no refresh; its expiry read from the JWT, its
 * site from accessible-resources on Cloud or --site on Data Center.
 */
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";
import { registerSecret } from "../../redact.js";
import type { LoginFlowOptions, LoginFlowResult } from "./flow.js";
import { baseProfile, onCloud, onDataCenter, requireSite, trimBase } from "./flow.js";
import { pickResource } from "./sites.js";
import type { OAuthSecret } from "./strategy.js";

export async function loginWithAccessToken(
  options: LoginFlowOptions,
  ctx: Context,
  fetchImpl: typeof fetch,
): Promise<LoginFlowResult> {
  const accessToken = options.accessToken?.trim();
  if (!accessToken)
    throw new UsageError("the access token read from stdin is empty", {
      hint: "Pipe the access token into the same command (printf '%s' \"$ACCESS_TOKEN\" | …, or < token.txt)",
    });
  registerSecret(accessToken);
  const expiresAt = jwtExpiry(accessToken);
  const secret: OAuthSecret = {
    kind: "oauth",
    accessToken,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  };
  if (options.deployment === "dc") {
    const dcBase = requireSite(options, "for a Data Center OAuth token");
    return {
      profile: baseProfile(options.profileName, { ...onDataCenter(dcBase), kind: "oauth" }),
      secret,
    };
  }
  const resource = await pickResource(options, ctx, { accessToken, tokenType: "Bearer" }, fetchImpl);
  return {
    profile: baseProfile(options.profileName, {
      ...onCloud(ctx.env, trimBase(resource.url), resource.id),
      kind: "oauth",
      ...(options.clientId ? { oauth: { clientId: options.clientId } } : {}),
    }),
    secret,
  };
}

/**
 * Atlassian's 3LO access tokens are JWTs ("eyJ…", confluence-api.md §4.2) whose `exp` claim says when they
 * expire. Reading it (without verifying: only the server can) lets a bring-your-own token fail with
 * "expired" before it is sent. Anything that is not a JWT with a numeric exp → undefined.
 */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { exp?: unknown };
    return typeof payload.exp === "number" && Number.isFinite(payload.exp) ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
