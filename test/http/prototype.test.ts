/**
 * No option can be smuggled in through data. `confl api -F '__proto__[insecure]=true'` once set
 * `Object.prototype.insecure`, which turned TLS verification off for every object read afterwards;
 * `-F '__proto__[allowCrossOrigin]=true'` let a hostile next link take the credential. Field names that
 * reach a prototype are refused (exit 2) before anything is sent; server data (next links) cannot
 * reach one either.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseFields, parseHeaders } from "../../src/commands/api/request.js";
import { ExitCode, UsageError } from "../../src/errors.js";
import { nextPageRequest } from "../../src/http/paginate.js";
import { recordHints } from "../hints/collect.js";
import { json, startServer, type TestServer } from "./helpers.js";

const HOSTILE_FIELDS = [
  "__proto__[insecure]=true",
  "__proto__[allowCrossOrigin]=true",
  "__proto__=x",
  "__proto__[]=1",
  "constructor[prototype][insecure]=true",
  "constructor=x",
  "prototype[x]=1",
  "a[__proto__][insecure]=true",
  "a[b][constructor][prototype][insecure]=true",
  "a[][__proto__]=1",
  "a[prototype]=1",
];

const noRead = async () => new Uint8Array();

function polluted(): string[] {
  const probe = {} as Record<string, unknown>;
  return ["insecure", "allowCrossOrigin", "x", "0"].filter((k) => probe[k] !== undefined);
}

afterEach(() => {
  // Clean up if a test ever did pollute, so one failure does not cascade into every later file.
  for (const k of ["insecure", "allowCrossOrigin", "x", "0"])
    delete (Object.prototype as Record<string, unknown>)[k];
});

describe("field names that would reach a prototype", () => {
  it.each(HOSTILE_FIELDS)("-f/-F %s is a usage error and pollutes nothing", async (field) => {
    for (const [raw, typed] of [
      [[field], []],
      [[], [field]],
    ] as const) {
      const error = await parseFields([...raw], [...typed], noRead, noRead).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(ExitCode.USAGE);
      expect(polluted()).toEqual([]);
    }
  });

  it("ordinary nested fields still build the JSON body gh users expect", async () => {
    const fields = await parseFields(
      ["title=Notes", "body[representation]=storage", "labels[]=a", "labels[]=b"],
      ["spaceId=98305", "meta[deep][flag]=true"],
      noRead,
      noRead,
    );
    expect(JSON.parse(JSON.stringify(fields))).toEqual({
      title: "Notes",
      body: { representation: "storage" },
      labels: ["a", "b"],
      spaceId: 98305,
      meta: { deep: { flag: true } },
    });
    // a key that merely contains a forbidden word is an ordinary key
    const other = await parseFields(["proto=1", "my__proto__x=2", "constructors=3"], [], noRead, noRead);
    expect(Object.keys(other)).toEqual(["proto", "my__proto__x", "constructors"]);
  });

  it("a header named __proto__ is an own entry, not a prototype", () => {
    const headers = parseHeaders(['__proto__: {"insecure":true}', "Accept: text/plain"]);
    expect(Object.keys(headers)).toEqual(["__proto__", "accept"]);
    expect(polluted()).toEqual([]);
    expect(Object.getPrototypeOf(headers)).toBeNull();
  });

  it("a hostile next link's __proto__ parameters stay parameters", () => {
    const next = nextPageRequest(
      new URL("https://dc.example.com/confluence/"),
      { path: "rest/api/space" },
      "/rest/api/space?__proto__=a&__proto__=b&constructor=c&start=25",
    );
    expect(next?.query && Object.getPrototypeOf(next.query)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(next?.query ?? {}, "__proto__")?.value).toEqual(["a", "b"]);
    expect(next?.query?.start).toBe("25");
  });
});

describe("confl api -F __proto__[…] (built bundle)", () => {
  const root = resolve(import.meta.dirname, "../..");
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_req, res) => json(res, 200, { results: [], _links: {} }));
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(HOSTILE_FIELDS)("%s exits 2 before any request, with one line and a hint", async (field) => {
    const configDir = mkdtempSync(join(tmpdir(), "confl-proto-"));
    const before = server.log.length;
    const r = await new Promise<{ code: number; stderr: string; stdout: string }>((done) => {
      execFile(
        process.execPath,
        [join(root, "dist/confl.mjs"), "api", "-X", "POST", "rest/api/content", "-F", field],
        {
          env: {
            PATH: process.env.PATH ?? "",
            CONFL_CONFIG_DIR: configDir,
            CONFL_NO_INPUT: "1",
            CONFLUENCE_URL: `${server.origin}/confluence`,
            CONFLUENCE_PERSONAL_TOKEN: "fake-proto-pat-0001",
          },
          timeout: 30_000,
        },
        (error, stdout, stderr) => {
          recordHints({ args: ["api", "-X", "POST", "rest/api/content", "-F", field], stderr });
          done({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
        },
      );
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^confl: invalid field name .* is not allowed as a field name\nhint: /);
    expect(r.stdout).toBe("");
    // detection probes may run first; the POST itself never does
    expect(server.log.slice(before).filter((e) => e.method === "POST")).toHaveLength(0);
  });
});
