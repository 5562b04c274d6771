import { afterEach, describe, expect, it } from "vitest";
import { ExitCode } from "../../src/errors.js";
import { createHttpClient } from "../../src/http/client.js";
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GoneError,
  type HttpError,
  InvalidResponseError,
  NetworkError,
  NotFoundError,
  PayloadTooLargeError,
  parseAtlassianError,
  RateLimitError,
  ServerError,
  TimeoutError,
  UnauthorizedError,
} from "../../src/http/errors.js";
import { fakeClock, startServer, type TestServer } from "./helpers.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// Bodies as documented in /work/shared/docs/confluence-api.md §1.12-1.14 (copied here so the test
// runs without ../shared).
const V1_GONE =
  '{"statusCode":410,"data":{"authorized":true,"valid":true,"errors":[],"successful":true},"message":"com.atlassian.confluence.api.service.exceptions.pagesmodes.GoneException: This deprecated endpoint has been removed."}';
const V1_FORBIDDEN =
  '{"statusCode":403,"message":"com.atlassian.confluence.mvc.rest.common.exception.StacklessResponseStatusException: 403 FORBIDDEN \\"Request rejected because caller cannot access Confluence\\""}';
const V2_CONFLICT =
  '{"errors":[{"status":409,"code":"CONFLICT","title":"Version must be incremented when updating a page. Current Version: [3]. Provided version: [3]","detail":null}]}';
const V2_NOT_FOUND = '{"errors":[{"status":404,"code":"NOT_FOUND","title":"Not Found","detail":null}]}';
const GATEWAY_SCOPE = '{"code":401,"message":"Unauthorized; scope does not match"}';
const DC_NOT_FOUND =
  '{"statusCode":404,"data":{"authorized":false,"valid":true,"allowedInReadOnlyMode":true,"errors":[],"successful":false},"message":"No content found with id: ContentId{id=123}","reason":"Not Found"}';
const TOMCAT_401 =
  '<!doctype html><html lang="en"><head><title>HTTP Status 401 – Unauthorized</title></head><body><h1>HTTP Status 401</h1></body></html>';

const json = new Headers({ "content-type": "application/json" });

describe("parseAtlassianError: every envelope", () => {
  it("v1/DC statusCode+message, cleaned of the Java exception class", () => {
    expect(parseAtlassianError(410, json, V1_GONE)).toEqual({
      message: "This deprecated endpoint has been removed.",
      code: undefined,
      envelope: "v1",
    });
    expect(parseAtlassianError(403, json, V1_FORBIDDEN).message).toBe(
      "Request rejected because caller cannot access Confluence",
    );
    expect(parseAtlassianError(404, json, DC_NOT_FOUND)).toMatchObject({
      message: "No content found with id: ContentId{id=123}",
      code: "Not Found",
      envelope: "v1",
    });
  });

  it("v2 errors[] title and detail", () => {
    expect(parseAtlassianError(409, json, V2_CONFLICT)).toMatchObject({
      envelope: "v2",
      code: "CONFLICT",
      message: expect.stringContaining("Version must be incremented"),
    });
    const withDetail = '{"errors":[{"status":400,"code":"INVALID","title":"Bad","detail":"limit too big"}]}';
    expect(parseAtlassianError(400, json, withDetail).message).toBe("Bad: limit too big");
  });

  it("gateway code/message", () => {
    expect(parseAtlassianError(401, json, GATEWAY_SCOPE)).toEqual({
      message: "Unauthorized; scope does not match",
      code: "401",
      envelope: "gateway",
    });
  });

  it("bare message (DC 429), HTML title, plain text, empty", () => {
    expect(parseAtlassianError(429, json, '{"message":"Rate limit exceeded."}')).toMatchObject({
      envelope: "message",
      message: "Rate limit exceeded.",
    });
    expect(parseAtlassianError(401, new Headers({ "content-type": "text/html" }), TOMCAT_401)).toMatchObject({
      envelope: "html",
      htmlTitle: "HTTP Status 401 – Unauthorized",
    });
    expect(
      parseAtlassianError(
        401,
        new Headers({ "content-type": "text/plain" }),
        "Basic authentication with passwords is deprecated.\nmore",
      ),
    ).toMatchObject({ envelope: "text", message: "Basic authentication with passwords is deprecated." });
    expect(parseAtlassianError(500, new Headers(), "")).toMatchObject({
      envelope: "none",
      message: undefined,
    });
  });
});

describe("status → typed error through the client", () => {
  const cases: Array<[number, string, string, new (...a: never[]) => HttpError, number, RegExp]> = [
    [
      400,
      "application/json",
      '{"statusCode":400,"message":"java.lang.IllegalArgumentException: limit cannot be less than zero"}',
      BadRequestError,
      1,
      /limit cannot be less than zero/,
    ],
    [401, "application/json", GATEWAY_SCOPE, UnauthorizedError, ExitCode.AUTH, /scope does not match/],
    [401, "text/html", TOMCAT_401, UnauthorizedError, ExitCode.AUTH, /HTTP Status 401 – Unauthorized/],
    [403, "application/json", V1_FORBIDDEN, ForbiddenError, ExitCode.AUTH, /caller cannot access Confluence/],
    [404, "application/json", V2_NOT_FOUND, NotFoundError, 1, /404 Not Found: Not Found/],
    [404, "application/json", DC_NOT_FOUND, NotFoundError, 1, /No content found/],
    [409, "application/json", V2_CONFLICT, ConflictError, 1, /Version must be incremented/],
    [410, "application/json", V1_GONE, GoneError, 1, /deprecated endpoint has been removed/],
    [
      413,
      "application/json",
      '{"errors":[{"status":413,"code":"REQUEST_ENTITY_TOO_LARGE","title":"Too big","detail":null}]}',
      PayloadTooLargeError,
      1,
      /Too big/,
    ],
    [429, "application/json", '{"message":"Rate limit exceeded."}', RateLimitError, 1, /Rate limit exceeded/],
    [
      500,
      "application/json",
      '{"statusCode":500,"message":"boom"}',
      ServerError,
      1,
      /500 Internal Server Error: boom/,
    ],
  ];

  it.each(cases)(
    "%i (%s) → the right class, exit code and message",
    async (status, type, body, cls, exit, pattern) => {
      server = await startServer((_req, res) => {
        res.writeHead(status, { "content-type": type });
        res.end(body);
      });
      const clock = fakeClock();
      const c = createHttpClient({
        apiBase: `${server.url}wiki/`,
        maxRetries: 0,
        sleep: clock.sleep,
        now: clock.now,
      });
      const error = await c
        .request({ path: "rest/api/content/123?token=fake-query-secret-0003" })
        .catch((e) => e);
      expect(error).toBeInstanceOf(cls);
      expect(error.status).toBe(status);
      expect(error.method).toBe("GET");
      expect(error.exitCode).toBe(exit);
      expect(error.message).toMatch(pattern);
      expect(error.message).toContain("GET http://127.0.0.1:");
      expect(error.url).not.toContain("fake-query-secret-0003");
      expect(error.message).not.toContain("fake-query-secret-0003");
      expect(error.hint).toBeTruthy();
      expect(error.message).not.toContain("\n");
    },
  );

  it("404 hints that it can mean no permission; 410 points to v2", async () => {
    server = await startServer((req, res) => {
      res.writeHead(req.url?.includes("gone") ? 410 : 404, { "content-type": "application/json" });
      res.end(req.url?.includes("gone") ? V1_GONE : V2_NOT_FOUND);
    });
    const c = createHttpClient({ apiBase: `${server.url}wiki/` });
    const nf = await c.request({ path: "api/v2/pages/1" }).catch((e) => e);
    expect(nf.hint).toContain("404 can also mean you lack permission");
    const gone = await c.request({ path: "rest/api/gone" }).catch((e) => e);
    expect(gone.hint).toContain("this v1 endpoint was removed; use the v2 API");
  });

  it("throwOnError: false resolves with the error response", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(V2_NOT_FOUND);
    });
    const c = createHttpClient({ apiBase: `${server.url}wiki/` });
    const res = await c.request({ path: "api/v2/pages/1", throwOnError: false });
    expect(res.status).toBe(404);
    expect(res.data).toEqual(JSON.parse(V2_NOT_FOUND));
  });
});

describe("bodies that are not what we asked for", () => {
  it("truncated JSON is an InvalidResponseError", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"results":[{"id":"1","title":"Ha');
    });
    const c = createHttpClient({ apiBase: `${server.url}wiki/` });
    const error = await c.request({ path: "api/v2/pages" }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toMatch(/truncated or malformed/);
  });

  it("an HTML login page with 200 where JSON was expected says it is probably SSO", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html;charset=UTF-8" });
      res.end("<!DOCTYPE html><html><head><title>Sign in - Okta</title></head><body>login</body></html>");
    });
    const c = createHttpClient({ apiBase: `${server.url}wiki/` });
    const error = await c.request({ path: "rest/api/user/current" }).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toMatch(/got an HTML page \("Sign in - Okta"\).*single sign-on login page/);
  });

  it("a body cut mid-stream (content-length not met) is an InvalidResponseError", async () => {
    server = await startServer((req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"a":');
      setTimeout(() => req.socket.destroy(), 10);
    });
    const c = createHttpClient({ apiBase: `${server.url}wiki/` });
    await expect(c.request({ path: "x" })).rejects.toBeInstanceOf(InvalidResponseError);
  });

  it("connection refused is a NetworkError with a network hint", async () => {
    server = await startServer(() => {});
    const port = server.port;
    await server.close();
    server = undefined;
    const clock = fakeClock();
    const c = createHttpClient({
      apiBase: `http://127.0.0.1:${port}/wiki/`,
      sleep: clock.sleep,
      now: clock.now,
      maxRetries: 1,
    });
    const error = await c.request({ path: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.networkCode).toBe("ECONNREFUSED");
    expect(error.message).toMatch(/connection to 127\.0\.0\.1:\d+ refused/);
  });

  it("the timeout covers a whole JSON body, but not a streamed body once headers arrived", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"part":');
      setTimeout(() => res.end('"done"}'), 400);
    });
    const c = createHttpClient({ apiBase: server.url, timeoutMs: 150, maxRetries: 0 });
    await expect(c.request({ path: "x" })).rejects.toBeInstanceOf(TimeoutError);
    const streamed = await c.request<ReadableStream<Uint8Array>>({ path: "x", responseType: "stream" });
    expect(await new Response(streamed.data).text()).toBe('{"part":"done"}');
  });

  it("a body-read timeout carries the configured timeout (not 0) in the TimeoutError", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"part":');
      // the rest never comes
    });
    const c = createHttpClient({ apiBase: server.url, timeoutMs: 150, maxRetries: 0 });
    const error = await c.request({ path: "x" }).catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.timeoutMs).toBe(150);
    expect(error.message).toMatch(/body did not arrive within 150 ms/);
    const perRequest = await c.request({ path: "y", timeoutMs: 120 }).catch((e) => e);
    expect(perRequest.timeoutMs).toBe(120);
  });

  it("a non-JSON text body on 200 falls back to text", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("pong");
    });
    const c = createHttpClient({ apiBase: `${server.url}wiki/` });
    expect((await c.request({ path: "x" })).data).toBe("pong");
  });
});
