/** A tiny path-template router shared by the Cloud and Data Center route tables. */
import type { IncomingHttpHeaders } from "node:http";
import type { SimUser } from "./types.js";

export type Principal =
  | {
      kind: "user";
      user: SimUser;
      credential: "classic-token" | "scoped-token" | "bearer" | "basic" | "pat" | "cookie";
      /** scoped tokens and Bearer grants only */
      scopes?: string[];
    }
  | { kind: "anonymous" };

export interface RouteResult {
  status: number;
  json?: unknown;
  text?: string;
  bytes?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface RouteRequest {
  method: string;
  url: URL;
  params: Record<string, string>;
  body: Buffer;
  headers: IncomingHttpHeaders;
  principal: Principal;
  /** multipart parts already read from the request (uploads spooled to disk); `body` is then empty */
  parts?: import("./respond.js").MultipartPart[] | undefined;
}

export interface RouteDefinition<Extra> {
  method: string;
  /** the path template as the OpenAPI spec writes it, e.g. /wiki/api/v2/pages/{id} */
  template: string;
  handle(request: RouteRequest & Extra): RouteResult | Promise<RouteResult>;
}

export interface CompiledRoute<Route> {
  route: Route;
  pattern: RegExp;
}

export function compileRoutes<Route extends { template: string }>(routes: Route[]): CompiledRoute<Route>[] {
  return routes.map((route) => ({
    route,
    pattern: new RegExp(
      `^${route.template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{([A-Za-z]+)\\?\}/g, "(?<$1>[^/]+)")}$`,
    ),
  }));
}

export function matchRoute<Route extends { method: string }>(
  compiled: CompiledRoute<Route>[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | undefined {
  let pathMatched = false;
  for (const { route, pattern } of compiled) {
    const match = pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.groups ?? {})) params[name] = decodeURIComponent(value);
    return { route, params };
  }
  return pathMatched ? { methodNotAllowed: true } : undefined;
}

export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
