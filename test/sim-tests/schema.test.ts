/**
 * Every route the simulator serves is called and its JSON answer validated against the response schema of the
 * matching operation in Atlassian's own OpenAPI files (test/fixtures/specs, provenance in its README):
 * v2 routes → Cloud v2; Cloud v1 → the 2026 v1 file, or the 2023 file for removed routes; DC → DC 10.0.3.
 * A mismatch fails the test. Deliberate deviations are listed in `deviations` with the reason.
 */
import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { describe, expect, it } from "vitest";
import { cloudRoutes } from "../../sim/cloud.js";
import { dcRoutes } from "../../sim/dc.js";
import { useSimulator } from "../support/context.js";
import { basic, call, type Json } from "./helpers.js";

type SpecName = "v2" | "v1" | "v1-2023" | "dc";
const specFiles: Record<SpecName, string> = {
  v2: "confluence-cloud-v2.openapi-v2.v3.json",
  v1: "confluence-cloud-v1.swagger.v3.json",
  "v1-2023": "confluence-cloud-v1.swagger.v3.2023-08-08.json",
  dc: "confluence-dc-10.0.3.swagger.v3.json",
};

const specs = Object.fromEntries(
  Object.entries(specFiles).map(([name, file]) => [
    name,
    JSON.parse(readFileSync(new URL(`../fixtures/specs/${file}`, import.meta.url), "utf8")) as Json,
  ]),
) as Record<SpecName, Json>;

/** OpenAPI 3.0 → JSON Schema: `nullable` becomes a null type; local $refs point into the spec's own document. */
function convert(node: unknown, specId: string): unknown {
  if (Array.isArray(node)) return node.map((item) => convert(item, specId));
  if (typeof node !== "object" || node === null) return node;
  const source = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === "nullable" || key === "discriminator" || key === "example" || key === "xml") continue;
    if (key === "$ref" && typeof value === "string" && value.startsWith("#/")) out.$ref = `${specId}${value}`;
    else out[key] = convert(value, specId);
  }
  if (source.nullable === true) {
    if (typeof out.type === "string") {
      out.type = [out.type, "null"];
      if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
      return out;
    }
    return { anyOf: [out, { type: "null" }] };
  }
  return out;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateFormats: true });
addFormats(ajv);
for (const format of ["int32", "int64", "binary", "uuid-or-empty", "double", "float"])
  ajv.addFormat(format, true);
for (const name of Object.keys(specFiles) as SpecName[]) {
  ajv.addSchema({ $id: `${name}.json`, components: convert(specs[name].components ?? {}, `${name}.json`) });
}

function specPath(spec: SpecName, template: string): string {
  return spec === "v2" ? template.replace(/^\/wiki\/api\/v2/, "") : template;
}

const validators = new Map<string, ValidateFunction | null>();
function validatorFor(
  spec: SpecName,
  template: string,
  method: string,
  status: number,
): ValidateFunction | null {
  const key = `${spec} ${method} ${template} ${status}`;
  if (!validators.has(key)) {
    const operation = specs[spec].paths[specPath(spec, template)]?.[method.toLowerCase()];
    if (!operation) throw new Error(`${spec} has no operation ${method} ${template}`);
    const response = operation.responses[String(status)];
    const content = response?.content ?? {};
    const media = content["application/json"] ?? Object.values(content)[0];
    const schema = (media as Json)?.schema;
    validators.set(key, schema ? ajv.compile(convert(schema, `${spec}.json`) as object) : null);
  }
  return validators.get(key)!;
}

/**
 * Deliberate deviations: answers with no schema in the spec (or a shape the spec gets wrong), with the reason.
 * Keyed "<spec> <METHOD> <template> <status>".
 */
const deviations: Record<string, string> = {
  "v2 PUT /wiki/api/v2/pages/{id} 409":
    "v2 409 CONFLICT body is observed on live Cloud (§1.5) but the v2 spec documents no 409 at all",
  "v2 GET /wiki/api/v2/pages/{id} 404":
    "v2 spec documents 404 with an empty content map; errors[] body from md2conf #113",
  "v2 POST /wiki/api/v2/pages 400": "duplicate-title 400: the spec gives no error schema for v2 400s",
  "v1 GET /wiki/rest/api/search 400":
    "missing-cql 400 body measured by backlot (§1.11); spec-v1 has no 400 schema for search",
  "v1 POST /wiki/rest/api/content/{id}/child/attachment 400":
    "duplicate-filename 400 uses the v1 RestError envelope; spec-v1 documents no 400 schema",
  "v1 POST /wiki/rest/api/content/{id}/child/attachment 403": "XSRF refusal is text/plain, not JSON",
  "v1 GET /wiki/rest/api/content/{id}/child/attachment/{attachmentId}/download 302": "a redirect has no body",
  "v1 DELETE /wiki/rest/api/content/{id}/label/{label} 204": "no body",
  "v1 DELETE /wiki/rest/api/content/{id}/label 204": "no body",
  "v2 DELETE /wiki/api/v2/pages/{id} 204": "no body",
  "v1-2023 DELETE /wiki/rest/api/content/{id} 204": "no body",
  "v1-2023 PUT /wiki/rest/api/content/{id} 409":
    "v1 409 message is observed (§1.5); the 2023 spec documents 409 without a schema",
  "dc DELETE /rest/api/content/{id} 204": "no body",
  "v2 DELETE /wiki/api/v2/attachments/{id} 204": "no body",
  "dc DELETE /rest/api/content/{id}/child/attachment/{attachmentId} 204": "no body",
  "v2 DELETE /wiki/api/v2/pages/{id}/properties/{propertyId} 204": "no body",
  "v2 PUT /wiki/api/v2/pages/{id}/properties/{propertyId} 409":
    "stale property version: the page's observed 409 envelope (§1.5); spec-v2 documents no 409",
  "dc DELETE /rest/api/content/{id}/property/{key} 204": "no body",
  "dc PUT /rest/api/content/{id}/property/{key} 409":
    "DC spec types ValidationResult.errors as an object; live servers send an array (§1.14), as we do",
  "dc DELETE /rest/api/content/{id}/label 204": "no body",
  "dc DELETE /rest/api/content/{id}/label/{label} 204": "no body",
  "dc PUT /rest/api/content/{id}/child/attachment 405":
    "DC has no PUT on the collection (§1.7); not in the DC spec",
  "dc GET /rest/api/server-information 401": "401 unauthenticated: the DC spec gives no 401 schema",
  "v2 GET /wiki/api/v2/spaces/{id} 404": "spec-v2 documents 404 without a body; errors[] envelope per §1.14",
  "v2 GET /wiki/api/v2/pages 400": "spec-v2 documents 400 without a body; errors[] envelope per §1.14",
  "v1 GET /wiki/rest/api/user/current 403":
    "spec-v1 documents 403 without a body; the 'caller cannot access Confluence' body is measured (§1.12)",
  "v1-2023 GET /wiki/rest/api/content/{id} 404": "the 2023 spec documents 404 without a body",
  "v1-2023 GET /wiki/rest/api/space/{spaceKey} 404": "the 2023 spec documents 404 without a body",
  "dc GET /rest/api/content/{id} 404":
    "DC spec types ValidationResult.errors as an object; live servers send an array (§1.14), as we do",
};

interface Case {
  spec: SpecName;
  method: string;
  template: string;
  status: number;
  /** path with values filled in (relative to the API root: site, gateway prefix, or DC base) */
  path: string;
  body?: unknown;
  multipart?: FormData;
  headers?: Record<string, string>;
  anonymous?: boolean;
  /** the spec's path template when it differs from the route's (child/{type}, {contentId}) */
  specTemplate?: string;
  /** the spec's status key when the spec files the body under another status */
  schemaStatus?: number;
}

const sim = useSimulator();

const upload = () => {
  const form = new FormData();
  form.append("file", new Blob([Buffer.from("schema test\n")], { type: "text/plain" }), "schema-test.txt");
  form.append("minorEdit", "true");
  return form;
};
const xsrf = { "x-atlassian-token": "no-check" };

const cloudCases: Case[] = [
  {
    spec: "v2",
    method: "DELETE",
    template: "/wiki/api/v2/attachments/{id}",
    status: 204,
    path: "/wiki/api/v2/attachments/131074",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/spaces",
    status: 200,
    path: "/wiki/api/v2/spaces?limit=2",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/spaces/{id}",
    status: 200,
    path: "/wiki/api/v2/spaces/98305",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/spaces/{id}",
    status: 404,
    path: "/wiki/api/v2/spaces/1",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/spaces/{id}/pages",
    status: 200,
    path: "/wiki/api/v2/spaces/98305/pages?body-format=storage",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages",
    status: 200,
    path: "/wiki/api/v2/pages?space-id=98305&body-format=atlas_doc_format",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages",
    status: 400,
    path: "/wiki/api/v2/pages?limit=0",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}",
    status: 200,
    path: "/wiki/api/v2/pages/65538?body-format=view",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}",
    status: 404,
    path: "/wiki/api/v2/pages/1",
  },
  {
    spec: "v2",
    method: "POST",
    template: "/wiki/api/v2/pages",
    status: 200,
    path: "/wiki/api/v2/pages",
    body: { spaceId: "98306", title: "Schema page", body: { representation: "storage", value: "<p>x</p>" } },
  },
  {
    spec: "v2",
    method: "POST",
    template: "/wiki/api/v2/pages",
    status: 400,
    path: "/wiki/api/v2/pages",
    body: { spaceId: "98305", title: "Release checklist", body: { representation: "storage", value: "" } },
  },
  {
    spec: "v2",
    method: "PUT",
    template: "/wiki/api/v2/pages/{id}",
    status: 200,
    path: "/wiki/api/v2/pages/65601",
    body: {
      id: "65601",
      status: "current",
      title: "Architecture",
      body: { representation: "storage", value: "<p>v5</p>" },
      version: { number: 5 },
    },
  },
  {
    spec: "v2",
    method: "PUT",
    template: "/wiki/api/v2/pages/{id}",
    status: 409,
    path: "/wiki/api/v2/pages/65537",
    body: {
      id: "65537",
      status: "current",
      title: "Getting started",
      body: { representation: "storage", value: "" },
      version: { number: 2 },
    },
  },
  {
    spec: "v2",
    method: "DELETE",
    template: "/wiki/api/v2/pages/{id}",
    status: 204,
    path: "/wiki/api/v2/pages/65602",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}/versions",
    status: 200,
    path: "/wiki/api/v2/pages/65538/versions?sort=-modified-date&limit=3",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}/properties",
    specTemplate: "/wiki/api/v2/pages/{page-id}/properties",
    status: 200,
    path: "/wiki/api/v2/pages/65538/properties?key=release-meta",
  },
  {
    spec: "v2",
    method: "POST",
    template: "/wiki/api/v2/pages/{id}/properties",
    specTemplate: "/wiki/api/v2/pages/{page-id}/properties",
    status: 200,
    path: "/wiki/api/v2/pages/65538/properties",
    body: { key: "schema-test", value: { a: [1, 2] } },
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}/properties/{propertyId}",
    specTemplate: "/wiki/api/v2/pages/{page-id}/properties/{property-id}",
    status: 200,
    path: "/wiki/api/v2/pages/65538/properties/400001",
  },
  {
    spec: "v2",
    method: "PUT",
    template: "/wiki/api/v2/pages/{id}/properties/{propertyId}",
    specTemplate: "/wiki/api/v2/pages/{page-id}/properties/{property-id}",
    status: 200,
    path: "/wiki/api/v2/pages/65538/properties/400001",
    body: { key: "release-meta", value: "done", version: { number: 3 } },
  },
  {
    spec: "v2",
    method: "PUT",
    template: "/wiki/api/v2/pages/{id}/properties/{propertyId}",
    specTemplate: "/wiki/api/v2/pages/{page-id}/properties/{property-id}",
    status: 409,
    path: "/wiki/api/v2/pages/65538/properties/400001",
    body: { key: "release-meta", value: "done", version: { number: 2 } },
  },
  {
    spec: "v2",
    method: "DELETE",
    template: "/wiki/api/v2/pages/{id}/properties/{propertyId}",
    specTemplate: "/wiki/api/v2/pages/{page-id}/properties/{property-id}",
    status: 204,
    path: "/wiki/api/v2/pages/65538/properties/400001",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}/direct-children",
    status: 200,
    path: "/wiki/api/v2/pages/65536/direct-children",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}/descendants",
    status: 200,
    path: "/wiki/api/v2/pages/65536/descendants?depth=2&limit=10",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}",
    status: 200,
    path: "/wiki/api/v2/pages/65538?version=3&body-format=storage",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/spaces",
    status: 200,
    path: "/wiki/api/v2/spaces?sort=key&status=current&type=global",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}/children",
    status: 200,
    path: "/wiki/api/v2/pages/65536/children",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}/ancestors",
    status: 200,
    path: "/wiki/api/v2/pages/65540/ancestors",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}/attachments",
    status: 200,
    path: "/wiki/api/v2/pages/65538/attachments",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/attachments/{id}",
    status: 200,
    path: "/wiki/api/v2/attachments/att131073",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}/labels",
    status: 200,
    path: "/wiki/api/v2/pages/65538/labels",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages/{id}/footer-comments",
    status: 200,
    path: "/wiki/api/v2/pages/65538/footer-comments?body-format=storage",
  },
  {
    spec: "v2",
    method: "POST",
    template: "/wiki/api/v2/footer-comments",
    status: 201,
    path: "/wiki/api/v2/footer-comments",
    body: { pageId: "65538", body: { representation: "storage", value: "<p>Nice.</p>" } },
  },
  {
    spec: "v1",
    method: "GET",
    template: "/wiki/rest/api/search",
    status: 200,
    path: "/wiki/rest/api/search?cql=type%3Dpage&limit=3",
  },
  {
    spec: "v1",
    method: "GET",
    template: "/wiki/rest/api/search",
    status: 400,
    path: "/wiki/rest/api/search",
  },
  {
    spec: "v1",
    method: "GET",
    template: "/wiki/rest/api/content/search",
    status: 200,
    path: "/wiki/rest/api/content/search?cql=space%3DDOC&limit=2",
  },
  {
    spec: "v1",
    method: "GET",
    template: "/wiki/rest/api/user/current",
    status: 200,
    path: "/wiki/rest/api/user/current",
  },
  {
    spec: "v1",
    method: "GET",
    template: "/wiki/rest/api/user/current",
    status: 403,
    path: "/wiki/rest/api/user/current",
    anonymous: true,
  },
  {
    spec: "v1",
    method: "GET",
    template: "/wiki/rest/api/user/anonymous",
    status: 200,
    path: "/wiki/rest/api/user/anonymous",
  },
  {
    spec: "v1",
    method: "GET",
    template: "/wiki/rest/api/settings/systemInfo",
    status: 200,
    path: "/wiki/rest/api/settings/systemInfo",
  },
  {
    spec: "v1",
    method: "POST",
    template: "/wiki/rest/api/content/{id}/child/attachment",
    status: 200,
    path: "/wiki/rest/api/content/65537/child/attachment",
    multipart: upload(),
    headers: xsrf,
  },
  {
    spec: "v1",
    method: "POST",
    template: "/wiki/rest/api/content/{id}/child/attachment",
    status: 400,
    path: "/wiki/rest/api/content/65538/child/attachment",
    multipart: (() => {
      const form = new FormData();
      form.append("file", new Blob([Buffer.from("x")]), "diagram.png");
      form.append("minorEdit", "false");
      return form;
    })(),
    headers: xsrf,
  },
  {
    spec: "v1",
    method: "POST",
    template: "/wiki/rest/api/content/{id}/child/attachment",
    status: 403,
    path: "/wiki/rest/api/content/65538/child/attachment",
    multipart: upload(),
  },
  {
    spec: "v1",
    method: "PUT",
    template: "/wiki/rest/api/content/{id}/child/attachment",
    status: 200,
    path: "/wiki/rest/api/content/65538/child/attachment",
    multipart: (() => {
      const form = new FormData();
      form.append("file", new Blob([Buffer.from("v3")], { type: "text/plain" }), "release-notes.txt");
      form.append("minorEdit", "true");
      return form;
    })(),
    headers: xsrf,
  },
  {
    spec: "v1",
    method: "POST",
    template: "/wiki/rest/api/content/{id}/child/attachment/{attachmentId}/data",
    status: 200,
    path: "/wiki/rest/api/content/65538/child/attachment/att131073/data",
    multipart: (() => {
      const form = new FormData();
      form.append("file", new Blob([Buffer.from("png?")], { type: "image/png" }), "diagram.png");
      form.append("minorEdit", "true");
      return form;
    })(),
    headers: xsrf,
  },
  {
    spec: "v1",
    method: "GET",
    template: "/wiki/rest/api/content/{id}/child/attachment/{attachmentId}/download",
    status: 302,
    path: "/wiki/rest/api/content/65538/child/attachment/att131074/download",
  },
  {
    spec: "v1",
    method: "POST",
    template: "/wiki/rest/api/content/{id}/label",
    status: 200,
    path: "/wiki/rest/api/content/65537/label",
    body: [{ prefix: "global", name: "howto" }],
  },
  {
    spec: "v1",
    method: "DELETE",
    template: "/wiki/rest/api/content/{id}/label/{label}",
    status: 204,
    path: "/wiki/rest/api/content/65538/label/release",
  },
  {
    spec: "v1",
    method: "DELETE",
    template: "/wiki/rest/api/content/{id}/label",
    status: 204,
    path: "/wiki/rest/api/content/65538/label?name=checklist",
  },
  {
    spec: "v1-2023",
    method: "GET",
    template: "/wiki/rest/api/content",
    status: 200,
    path: "/wiki/rest/api/content?spaceKey=DOC&limit=3&expand=body.storage",
  },
  {
    spec: "v1-2023",
    method: "GET",
    template: "/wiki/rest/api/content/{id}",
    status: 200,
    path: "/wiki/rest/api/content/65538?expand=body.storage,ancestors,version,space",
  },
  {
    spec: "v1-2023",
    method: "GET",
    template: "/wiki/rest/api/content/{id}",
    status: 404,
    path: "/wiki/rest/api/content/1",
  },
  {
    spec: "v1-2023",
    method: "PUT",
    template: "/wiki/rest/api/content/{id}",
    status: 200,
    path: "/wiki/rest/api/content/65536",
    body: {
      type: "page",
      title: "Documentation Home",
      version: { number: 4 },
      body: { storage: { value: "<p>v4</p>", representation: "storage" } },
    },
  },
  {
    spec: "v1-2023",
    method: "PUT",
    template: "/wiki/rest/api/content/{id}",
    status: 409,
    path: "/wiki/rest/api/content/65537",
    body: { type: "page", title: "Getting started", version: { number: 9 } },
  },
  {
    spec: "v1-2023",
    method: "DELETE",
    template: "/wiki/rest/api/content/{id}",
    status: 204,
    path: "/wiki/rest/api/content/65700",
  },
  {
    spec: "v1-2023",
    method: "GET",
    template: "/wiki/rest/api/space",
    status: 200,
    path: "/wiki/rest/api/space?limit=2",
  },
  {
    spec: "v1-2023",
    method: "GET",
    template: "/wiki/rest/api/space/{spaceKey}",
    status: 200,
    path: "/wiki/rest/api/space/DOC",
  },
  {
    spec: "v1-2023",
    method: "GET",
    template: "/wiki/rest/api/space/{spaceKey}",
    status: 404,
    path: "/wiki/rest/api/space/NOPE",
  },
  {
    spec: "v1-2023",
    method: "GET",
    template: "/wiki/rest/api/content/{id}/child/page",
    specTemplate: "/wiki/rest/api/content/{id}/child/{type}",
    status: 200,
    path: "/wiki/rest/api/content/65536/child/page?limit=3",
  },
];

const dcCases: Case[] = [
  {
    spec: "dc",
    method: "DELETE",
    template: "/rest/api/content/{id}/child/attachment/{attachmentId}",
    status: 204,
    path: "/rest/api/content/65538/child/attachment/att131073",
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/content/{id}/child/comment",
    status: 200,
    path: "/rest/api/content/65538/child/comment?expand=body.storage,version",
  },
  {
    spec: "dc",
    method: "POST",
    template: "/rest/api/content",
    status: 200,
    path: "/rest/api/content?expand=body.storage,version",
    body: {
      type: "comment",
      container: { id: "65538", type: "page" },
      body: { storage: { value: "<p>dc comment</p>", representation: "storage" } },
    },
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/content",
    status: 200,
    path: "/rest/api/content?spaceKey=DOC&limit=2&expand=body.storage",
  },
  {
    spec: "dc",
    method: "POST",
    template: "/rest/api/content",
    status: 200,
    path: "/rest/api/content",
    body: {
      type: "page",
      title: "DC schema page",
      space: { key: "ENG" },
      body: { storage: { value: "<p>dc</p>", representation: "storage" } },
    },
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/content/search",
    status: 200,
    path: "/rest/api/content/search?cql=type%3Dpage&limit=2",
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/content/{id}",
    status: 200,
    path: "/rest/api/content/65538?expand=body.storage,ancestors",
  },
  { spec: "dc", method: "GET", template: "/rest/api/content/{id}", status: 404, path: "/rest/api/content/1" },
  {
    spec: "dc",
    method: "PUT",
    template: "/rest/api/content/{id}",
    specTemplate: "/rest/api/content/{contentId}",
    status: 200,
    path: "/rest/api/content/65537",
    body: {
      type: "page",
      title: "Getting started",
      version: { number: 3 },
      body: { storage: { value: "<p>dc v3</p>", representation: "storage" } },
    },
  },
  {
    spec: "dc",
    method: "DELETE",
    template: "/rest/api/content/{id}",
    status: 204,
    path: "/rest/api/content/65545",
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/content/{id}/child/page",
    specTemplate: "/rest/api/content/{id}/child/{type}",
    status: 200,
    path: "/rest/api/content/65536/child/page?limit=2",
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/content/{id}/child/attachment",
    // the DC spec files this list under "201" (a spec mistake); validate the body against it anyway
    schemaStatus: 201,
    status: 200,
    path: "/rest/api/content/65538/child/attachment",
  },
  {
    spec: "dc",
    method: "POST",
    template: "/rest/api/content/{id}/child/attachment",
    status: 200,
    path: "/rest/api/content/65601/child/attachment",
    multipart: upload(),
    headers: xsrf,
  },
  {
    spec: "dc",
    method: "PUT",
    template: "/rest/api/content/{id}/child/attachment",
    status: 405,
    path: "/rest/api/content/65601/child/attachment",
    multipart: upload(),
    headers: xsrf,
  },
  {
    spec: "dc",
    method: "POST",
    template: "/rest/api/content/{id}/child/attachment/{attachmentId}/data",
    status: 200,
    path: "/rest/api/content/65538/child/attachment/att131074/data",
    multipart: (() => {
      const form = new FormData();
      form.append("file", new Blob([Buffer.from("dc v3")], { type: "text/plain" }), "release-notes.txt");
      form.append("minorEdit", "true");
      return form;
    })(),
    headers: xsrf,
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/content/{id}/property",
    status: 200,
    path: "/rest/api/content/65538/property",
  },
  {
    spec: "dc",
    method: "POST",
    template: "/rest/api/content/{id}/property",
    status: 200,
    path: "/rest/api/content/65538/property",
    body: { key: "dc-schema", value: { n: 1 } },
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/content/{id}/property/{key}",
    status: 200,
    path: "/rest/api/content/65538/property/release-meta",
  },
  {
    spec: "dc",
    method: "PUT",
    template: "/rest/api/content/{id}/property/{key}",
    status: 200,
    path: "/rest/api/content/65538/property/release-meta",
    body: { key: "release-meta", value: [1, "two"], version: { number: 3 } },
  },
  {
    spec: "dc",
    method: "PUT",
    template: "/rest/api/content/{id}/property/{key}",
    status: 409,
    path: "/rest/api/content/65538/property/release-meta",
    body: { key: "release-meta", value: 1, version: { number: 7 } },
  },
  {
    spec: "dc",
    method: "DELETE",
    template: "/rest/api/content/{id}/property/{key}",
    status: 204,
    path: "/rest/api/content/65538/property/release-meta",
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/content/{id}/label",
    status: 200,
    path: "/rest/api/content/65538/label",
  },
  {
    spec: "dc",
    method: "POST",
    template: "/rest/api/content/{id}/label",
    status: 200,
    path: "/rest/api/content/65538/label",
    body: { prefix: "global", name: "dc-label" },
  },
  {
    spec: "dc",
    method: "DELETE",
    template: "/rest/api/content/{id}/label",
    status: 204,
    path: "/rest/api/content/65601/label?name=architecture",
  },
  {
    spec: "dc",
    method: "DELETE",
    template: "/rest/api/content/{id}/label/{label}",
    status: 204,
    path: "/rest/api/content/65537/label/guide",
  },
  { spec: "dc", method: "GET", template: "/rest/api/space", status: 200, path: "/rest/api/space" },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/space/{spaceKey}/content/{type}",
    status: 200,
    path: "/rest/api/space/DOC/content/page?depth=root",
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/content/{id}",
    status: 200,
    path: "/rest/api/content/65538?version=2&status=historical&expand=body.storage,version",
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/space/{spaceKey}",
    status: 200,
    path: "/rest/api/space/DOC?expand=description.plain,homepage",
  },

  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/space/{spaceKey}",
    status: 200,
    path: "/rest/api/space/ENG",
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/search",
    status: 200,
    path: "/rest/api/search?cql=label%3Drelease",
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/user/current",
    status: 200,
    path: "/rest/api/user/current",
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/user/anonymous",
    status: 200,
    path: "/rest/api/user/anonymous",
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/server-information",
    status: 200,
    path: "/rest/api/server-information",
  },
  {
    spec: "dc",
    method: "GET",
    template: "/rest/api/server-information",
    status: 401,
    path: "/rest/api/server-information",
    anonymous: true,
  },
];

async function run(testCase: Case, root: string, authorization: string): Promise<void> {
  const headers: Record<string, string> = { ...testCase.headers };
  if (!testCase.anonymous) headers.authorization = authorization;
  let body: BodyInit | undefined;
  if (testCase.multipart) body = testCase.multipart;
  else if (testCase.body !== undefined) {
    body = JSON.stringify(testCase.body);
    headers["content-type"] = "application/json";
  }
  const answer = await call(`${root}${testCase.path}`, { method: testCase.method, headers, body });
  expect(answer.status, `${testCase.method} ${testCase.path}: ${answer.text.slice(0, 300)}`).toBe(
    testCase.status,
  );
  const key = `${testCase.spec} ${testCase.method} ${testCase.template} ${testCase.status}`;
  if (key in deviations) return;
  const validate = validatorFor(
    testCase.spec,
    testCase.specTemplate ?? testCase.template,
    testCase.method,
    testCase.schemaStatus ?? testCase.status,
  );
  if (validate === null) {
    throw new Error(`${key}: the spec has no response schema; add it to deviations with a reason`);
  }
  const valid = validate(answer.json);
  expect(valid, `${key}\n${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}`).toBe(true);
}

describe("Cloud routes validate against Atlassian's specs", () => {
  for (const testCase of cloudCases) {
    it(`${testCase.spec} ${testCase.method} ${testCase.path} → ${testCase.status}`, async () => {
      const authorization = basic(sim.credentials.cloud.email, sim.credentials.cloud.apiToken);
      await run(testCase, sim.origins.site, authorization);
    });
  }
});

describe("Data Center routes validate against the DC spec", () => {
  for (const testCase of dcCases) {
    it(`dc ${testCase.method} ${testCase.path} → ${testCase.status}`, async () => {
      await run(testCase, sim.origins.dc, `Bearer ${sim.credentials.dc.pat}`);
    });
  }
});

const gatewayCases: Case[] = [
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/pages",
    status: 200,
    path: "/wiki/api/v2/pages?limit=30",
  },
  {
    spec: "v2",
    method: "GET",
    template: "/wiki/api/v2/spaces/{id}",
    status: 200,
    path: "/wiki/api/v2/spaces/98306",
  },
  {
    spec: "v1",
    method: "GET",
    template: "/wiki/rest/api/search",
    status: 200,
    path: "/wiki/rest/api/search?cql=label%3Drelease",
  },
  {
    spec: "v1",
    method: "GET",
    template: "/wiki/rest/api/user/current",
    status: 200,
    path: "/wiki/rest/api/user/current",
  },
];

describe("gateway answers validate too (same content, gateway credentials)", () => {
  for (const testCase of gatewayCases) {
    it(`gateway ${testCase.method} ${testCase.path} → ${testCase.status}`, async () => {
      const authorization = basic(sim.credentials.cloud.email, sim.credentials.cloud.scopedToken);
      await run(testCase, `${sim.origins.gateway}/ex/confluence/${sim.cloudId}`, authorization);
    });
  }
});

describe("coverage and scope table", () => {
  it("calls every route the simulator serves at least once", () => {
    const called = new Set([...cloudCases, ...dcCases].map((c) => `${c.method} ${c.template}`));
    const served = [...cloudRoutes, ...dcRoutes].map((route) => `${route.method} ${route.template}`);
    expect(served.filter((route) => !called.has(route))).toEqual([]);
  });

  it("every Cloud route's scopes match the spec's x-atlassian-oauth2-scopes", () => {
    for (const route of cloudRoutes) {
      const template = route.specTemplate ?? route.template;
      const operation = specs[route.spec].paths[specPath(route.spec, template)]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.template}`).toBeDefined();
      const scopes = (operation["x-atlassian-oauth2-scopes"] ?? []) as Array<{
        state: string;
        scopes: string[];
      }>;
      const current = scopes.find((entry) => entry.state === "Current")?.scopes;
      const beta = scopes.find((entry) => entry.state === "Beta")?.scopes;
      expect(route.scopes.current, `${route.method} ${route.template}`).toEqual(current);
      expect(route.scopes.beta, `${route.method} ${route.template}`).toEqual(beta);
      expect(
        operation.deprecated === true || route.spec === "v1-2023",
        `${route.template} deprecated flag`,
      ).toBe(route.deprecated === true || (route.spec === "v2" && operation.deprecated === true));
    }
  });

  it("the validator rejects a wrong shape (the check can fail)", () => {
    const validate = validatorFor("v2", "/wiki/api/v2/pages/{id}", "GET", 200)!;
    expect(validate({ id: 65538, title: ["not", "a", "string"] })).toBe(false);
    const validateV1 = validatorFor("v1", "/wiki/rest/api/user/current", "GET", 200)!;
    expect(validateV1({ type: "robot" })).toBe(false);
  });
});
