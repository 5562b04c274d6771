/**
 * Confluence Cloud's content routes (v2 and v1), served identically by the site (/wiki/...) and the gateway
 * (/ex/confluence/{cloudId}/wiki/...). Each route carries the scopes the specs list for it
 * (`x-atlassian-oauth2-scopes`: v2 "Current" = granular; v1 "Current" = classic, "Beta" = granular), which the
 * gateway enforces; test/sim-tests/schema.test.ts checks this table against the spec files.
 */
import type { AttachmentRecord, CommentRecord, PageRecord, PropertyRecord, SpaceRecord } from "./fixtures.js";
import { decodeCursor, encodeCursor, v2ErrorBody } from "./respond.js";
import {
  compileRoutes,
  isRecord,
  parseJsonBody,
  type RouteDefinition,
  type RouteRequest,
  type RouteResult,
} from "./router.js";
import {
  type ContentStore,
  pageAtVersion,
  rememberVersion,
  storageToAdf,
  storageToView,
  tinyLink,
} from "./store.js";
import * as v1 from "./v1.js";

export interface CloudExtra {
  store: ContentStore;
  flavor: v1.V1Flavor;
  /** <site origin>: `_links.base` is <site>/wiki even through the gateway */
  siteOrigin: string;
  /** the signed media URL a download redirects to */
  mediaUrl(attachment: AttachmentRecord): string;
  via: "site" | "gateway";
  cloudId: string;
}

export interface CloudRoute extends RouteDefinition<CloudExtra> {
  /** which spec documents it: cloud v2, cloud v1 (2026) or the 2023 v1 file (deprecated routes) */
  spec: "v2" | "v1" | "v1-2023";
  /** the spec's own template when it differs (e.g. child/{type} for child/page) */
  specTemplate?: string;
  /** removed v1 route: 200 + deprecation headers on the site, 410 through the gateway (§1.13) */
  deprecated?: boolean;
  scopes: { current: string[]; beta?: string[] };
}

type CloudRequest = RouteRequest & CloudExtra;

const V2 = "/wiki/api/v2";

function notFound(): RouteResult {
  return { status: 404, json: v2ErrorBody(404, "NOT_FOUND", "Not Found") };
}

function badRequest(title: string): RouteResult {
  return { status: 400, json: v2ErrorBody(400, "INVALID_REQUEST_PARAMETER", title) };
}

function visible(request: CloudRequest): boolean {
  return request.principal.kind === "user";
}

/** v2 cursor pagination (§1.10): `next` is relative to the ORIGIN (/wiki/api/v2/...), `base` is <site>/wiki. */
function v2List<T>(
  request: CloudRequest,
  items: T[],
  render: (item: T) => unknown,
  defaultLimit = 25,
): RouteResult {
  const limitText = request.url.searchParams.get("limit");
  const limit = limitText === null ? defaultLimit : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) return badRequest(`Invalid value for limit: ${limitText}`);
  const effective = Math.min(limit, 250);
  const offset = decodeCursor(request.url.searchParams.get("cursor"));
  if (offset === undefined) return badRequest("Invalid cursor");
  const slice = items.slice(offset, offset + effective);
  const base = `${request.siteOrigin}/wiki`;
  const links: Record<string, string> = { base };
  const headers: Record<string, string> = {};
  if (offset + effective < items.length) {
    const params = new URLSearchParams(request.url.search);
    params.delete("cursor");
    params.delete("limit");
    params.set("cursor", encodeCursor(offset + effective));
    params.set("limit", String(effective));
    // The gateway prefix is NOT in `next` — the trap atlassian-python-api #1655 fell into.
    const apiPath = request.url.pathname.replace(/^\/ex\/confluence\/[^/]+/, "");
    links.next = `${apiPath}?${params.toString()}`;
    headers.link = `<${links.next}>; rel="next", <${base}>; rel="base"`;
  }
  return { status: 200, json: { results: slice.map(render), _links: links }, headers };
}

function versionJson(version: PageRecord["version"]): Record<string, unknown> {
  return {
    createdAt: version.createdAt,
    message: version.message,
    number: version.number,
    minorEdit: version.minorEdit,
    authorId: version.authorId,
  };
}

function bodyJson(page: { body: string }, format: string | null): Record<string, unknown> {
  if (format === "storage") return { storage: { representation: "storage", value: page.body } };
  if (format === "atlas_doc_format") {
    return { atlas_doc_format: { representation: "atlas_doc_format", value: storageToAdf(page.body) } };
  }
  if (format === "view") return { view: { representation: "view", value: storageToView(page.body) } };
  return {};
}

const singleFormats = new Set(["storage", "atlas_doc_format", "view"]);
const listFormats = new Set(["storage", "atlas_doc_format"]);

function pageJson(request: CloudRequest, page: PageRecord, format: string | null, single: boolean) {
  const space = request.store.spaceById(page.spaceId);
  const slug = encodeURIComponent(page.title).replace(/%20/g, "+");
  const links: Record<string, string> = {
    webui: `/spaces/${space?.key ?? ""}/pages/${page.id}/${slug}`,
    editui: `/pages/resumedraft.action?draftId=${page.id}`,
    tinyui: `/x/${tinyLink(page.id)}`,
  };
  if (single) links.base = `${request.siteOrigin}/wiki`;
  return {
    id: page.id,
    status: page.status,
    title: page.title,
    spaceId: page.spaceId,
    // root pages carry no parent (spec-v2 types both as plain strings)
    ...(page.parentId === null ? {} : { parentId: page.parentId, parentType: "page" }),
    position: page.position,
    authorId: page.authorId,
    ownerId: page.authorId,
    lastOwnerId: null,
    createdAt: page.createdAt,
    version: versionJson(page.version),
    body: bodyJson(page, format),
    _links: links,
  };
}

function spaceJson(request: CloudRequest, space: SpaceRecord, single: boolean) {
  const descriptionFormat = request.url.searchParams.get("description-format");
  return {
    id: space.id,
    key: space.key,
    name: space.name,
    type: space.type,
    status: space.status,
    authorId: space.authorId,
    createdAt: space.createdAt,
    homepageId: space.homepageId,
    // description only when asked for (description-format=plain|view); spec-v2 types it as an object
    ...(descriptionFormat === "plain" || descriptionFormat === "view"
      ? {
          description: {
            [descriptionFormat]: { representation: descriptionFormat, value: space.description },
          },
        }
      : {}),
    _links: single
      ? { webui: `/spaces/${space.key}`, base: `${request.siteOrigin}/wiki` }
      : { webui: `/spaces/${space.key}` },
  };
}

function attachmentJson(_request: CloudRequest, attachment: AttachmentRecord) {
  const download = v1.downloadPath(attachment);
  return {
    id: attachment.id,
    status: attachment.status,
    title: attachment.title,
    createdAt: attachment.createdAt,
    pageId: attachment.pageId,
    mediaType: attachment.mediaType,
    mediaTypeDescription: attachment.mediaType.startsWith("image/") ? "Image" : "File",
    comment: attachment.comment,
    fileId: attachment.fileId,
    fileSize: attachment.spooled?.size ?? attachment.bytes.length,
    webuiLink: `/pages/viewpageattachments.action?pageId=${attachment.pageId}`,
    downloadLink: download,
    version: versionJson(attachment.version),
    _links: { webui: `/pages/viewpageattachments.action?pageId=${attachment.pageId}`, download },
  };
}

function commentJson(request: CloudRequest, comment: CommentRecord, format: string | null) {
  const page = request.store.page(comment.pageId);
  return {
    id: comment.id,
    status: comment.status,
    title: `Re: ${page?.title ?? ""}`,
    pageId: comment.pageId,
    version: versionJson(comment.version),
    body: bodyJson(comment, format),
    _links: { webui: `/spaces/DOC/pages/${comment.pageId}?focusedCommentId=${comment.id}` },
  };
}

function bodyFormat(request: CloudRequest, allowed: Set<string>): string | null | RouteResult {
  const format = request.url.searchParams.get("body-format");
  if (format === null) return null;
  if (!allowed.has(format)) return badRequest(`Invalid value for body-format: ${format}`);
  return format;
}

function csv(request: CloudRequest, name: string): string[] {
  return request.url.searchParams
    .getAll(name)
    .flatMap((value) => value.split(","))
    .filter(Boolean);
}

function livePageFor(request: CloudRequest): PageRecord | undefined {
  return visible(request) ? request.store.livePage(request.params.id!) : undefined;
}

function listPages(request: CloudRequest, pages: PageRecord[]): RouteResult {
  const format = bodyFormat(request, listFormats);
  if (typeof format === "object" && format !== null) return format;
  const statuses = csv(request, "status");
  const wanted = statuses.length > 0 ? statuses : ["current", "archived"];
  const title = request.url.searchParams.get("title");
  const filtered = pages
    .filter((page) => wanted.includes(page.status))
    .filter((page) => title === null || page.title === title)
    .sort((a, b) => Number(a.id) - Number(b.id));
  return v2List(request, filtered, (page) => pageJson(request, page, format, false));
}

function createPage(request: CloudRequest): RouteResult {
  if (request.body.length > 5 * 1024 * 1024) {
    return { status: 413, json: v2ErrorBody(413, "REQUEST_ENTITY_TOO_LARGE", "Request entity too large") };
  }
  const body = parseJsonBody(request.body);
  if (!isRecord(body) || typeof body.spaceId !== "string") return badRequest("spaceId is required");
  const space = visible(request) ? request.store.spaceById(body.spaceId) : undefined;
  if (!space) return notFound();
  const status = body.status === "draft" ? "draft" : "current";
  if (status === "current" && (typeof body.title !== "string" || body.title === "")) {
    return badRequest("Title is required when the page status is not draft");
  }
  const title = typeof body.title === "string" ? body.title : "";
  if (status === "current" && request.store.titleTaken(space.id, title)) {
    // clients match on this phrase; the rest of the text is unverified (§1.4)
    return badRequest(
      "A page with this title already exists: A page already exists with the same TITLE in this space",
    );
  }
  let parentId: string | null = space.homepageId;
  if (request.url.searchParams.get("root-level") === "true") {
    if (body.parentId !== undefined) return badRequest("parentId cannot be given for a root-level page");
    parentId = null;
  } else if (typeof body.parentId === "string") {
    const parent = request.store.livePage(body.parentId);
    if (!parent || parent.spaceId !== space.id) return notFound();
    parentId = parent.id;
  }
  const pageBody = isRecord(body.body) && typeof body.body.value === "string" ? body.body.value : "";
  const now = request.store.now();
  const author = request.principal.kind === "user" ? request.principal.user.accountId : "";
  const page: PageRecord = {
    id: request.store.newId(),
    spaceId: space.id,
    title,
    parentId,
    status,
    position: parentId === null ? 0 : request.store.children(parentId).length,
    authorId: author,
    createdAt: now,
    version: { number: 1, createdAt: now, message: "", minorEdit: false, authorId: author },
    body: pageBody,
    labels: [],
  };
  request.store.pages.push(page);
  // 200, not 201: spec-v2 createPage (§1.4)
  return { status: 200, json: pageJson(request, page, "storage", true) };
}

function updatePage(request: CloudRequest): RouteResult {
  const page = visible(request) ? request.store.page(request.params.id!) : undefined;
  if (!page) return notFound();
  const body = parseJsonBody(request.body);
  if (!isRecord(body)) return badRequest("Request body is required");
  for (const field of ["id", "status", "title", "body", "version"]) {
    if (body[field] === undefined) return badRequest(`${field} is required`);
  }
  if (String(body.id) !== page.id) return badRequest("The id in the body does not match the path");
  const version = isRecord(body.version) ? Number(body.version.number) : Number.NaN;
  if (version !== page.version.number + 1) {
    // The exact body a stale version gets (§1.5); the v2 spec lists no 409 at all.
    return {
      status: 409,
      json: {
        errors: [
          {
            status: 409,
            code: "CONFLICT",
            title: `Version must be incremented when updating a page. Current Version: [${page.version.number}]. Provided version: [${Number.isNaN(version) ? "" : version}]`,
            detail: null,
          },
        ],
      },
    };
  }
  const title = String(body.title);
  if (title !== page.title && request.store.titleTaken(page.spaceId, title, page.id)) {
    return badRequest(
      "A page with this title already exists: A page already exists with the same TITLE in this space",
    );
  }
  if (typeof body.spaceId === "string" && body.spaceId !== page.spaceId) {
    return badRequest("Moving a page to a different space is not supported");
  }
  if (typeof body.parentId === "string") {
    const parent = request.store.livePage(body.parentId);
    if (!parent) return notFound();
    if (parent.spaceId !== page.spaceId)
      return badRequest("Moving a page to a different space is not supported");
    if (parent.id === page.id || request.store.ancestors(parent).some((a) => a.id === page.id)) {
      return badRequest("A page cannot be moved under itself or one of its descendants");
    }
    page.parentId = body.parentId;
  }
  rememberVersion(page);
  page.title = title;
  page.status = body.status === "draft" ? "draft" : "current";
  if (isRecord(body.body) && typeof body.body.value === "string") page.body = body.body.value;
  const author = request.principal.kind === "user" ? request.principal.user.accountId : "";
  page.version = {
    number: version,
    createdAt: request.store.now(),
    message: isRecord(body.version) && typeof body.version.message === "string" ? body.version.message : "",
    minorEdit: false,
    authorId: author,
  };
  return { status: 200, json: pageJson(request, page, "storage", true) };
}

function createFooterComment(request: CloudRequest): RouteResult {
  const body = parseJsonBody(request.body);
  if (!isRecord(body) || typeof body.pageId !== "string" || !isRecord(body.body)) {
    return badRequest("pageId and body are required");
  }
  const page = visible(request) ? request.store.livePage(body.pageId) : undefined;
  if (!page) return notFound();
  const author = request.principal.kind === "user" ? request.principal.user.accountId : "";
  const now = request.store.now();
  const comment: CommentRecord = {
    id: request.store.newId(),
    pageId: page.id,
    body: typeof body.body.value === "string" ? body.body.value : "",
    status: "current",
    createdAt: now,
    authorId: author,
    version: { number: 1, createdAt: now, message: "", minorEdit: false, authorId: author },
  };
  request.store.comments.push(comment);
  return {
    status: 201,
    json: commentJson(request, comment, "storage"),
    headers: { location: `${request.siteOrigin}${V2}/footer-comments/${comment.id}` },
  };
}

function download(request: CloudRequest): RouteResult {
  const page = livePageFor(request);
  const attachment = request.store.attachment(request.params.attachmentId!);
  if (!page || !attachment || attachment.pageId !== page.id) {
    return v1.v1Error(404, `No content found with id: ContentId{id=${request.params.attachmentId}}`);
  }
  const wanted = request.url.searchParams.get("version");
  if (wanted !== null && Number(wanted) > attachment.version.number) {
    return v1.v1Error(
      400,
      `Version ${wanted} is greater than the latest version ${attachment.version.number}`,
    );
  }
  // 302 to a signed media URL (§1.7); the media host needs no Authorization and must not get one.
  return { status: 302, headers: { location: request.mediaUrl(attachment) } };
}

const granular = (...scopes: string[]) => scopes.map((scope) => `${scope}:confluence`);

function propertyJson(property: PropertyRecord) {
  return {
    id: property.id,
    key: property.key,
    value: property.value,
    version: versionJson(property.version),
  };
}

function propertyFor(request: CloudRequest): PropertyRecord | undefined {
  const page = livePageFor(request);
  return page?.properties?.find((p) => p.id === request.params.propertyId);
}

function newVersion(request: CloudRequest, number: number, message: string): PageRecord["version"] {
  const author = request.principal.kind === "user" ? request.principal.user.accountId : "";
  return { number, createdAt: request.store.now(), message, minorEdit: false, authorId: author };
}

/** A v1 route of the 2026 spec, served by the handler shared with Data Center (v1.ts) in the Cloud flavour. */
function v1Route(
  method: string,
  template: string,
  scopes: CloudRoute["scopes"],
  handler: (flavor: v1.V1Flavor, request: CloudRequest) => RouteResult,
): CloudRoute {
  return { method, template, spec: "v1", scopes, handle: (request) => handler(request.flavor, request) };
}

/** A v1 route removed from the 2026 spec (deprecated in the 2023 file): 410 through the gateway (§1.13). */
function removedV1Route(
  method: string,
  template: string,
  scopes: CloudRoute["scopes"],
  handler: (flavor: v1.V1Flavor, request: CloudRequest) => RouteResult,
  extra: { specTemplate?: string } = {},
): CloudRoute {
  return {
    method,
    template,
    ...extra,
    spec: "v1-2023",
    deprecated: true,
    scopes,
    handle: (request) => handler(request.flavor, request),
  };
}

export const cloudRoutes: CloudRoute[] = [
  // ---- v2 (scopes: spec-v2 x-atlassian-oauth2-scopes, granular only) ----
  {
    method: "GET",
    template: `${V2}/spaces`,
    spec: "v2",
    scopes: { current: granular("read:space") },
    handle(request) {
      const keys = csv(request, "keys");
      const ids = csv(request, "ids");
      const type = request.url.searchParams.get("type");
      const status = request.url.searchParams.get("status");
      const sort = request.url.searchParams.get("sort") ?? "id";
      // SpaceSortOrder (spec-v2): id, -id, key, -key, name, -name; "sorted by id ascending" by default
      const field = sort.replace(/^-/, "");
      if (!["id", "key", "name"].includes(field)) return badRequest(`Invalid value for sort: ${sort}`);
      const compare = (a: SpaceRecord, b: SpaceRecord) =>
        field === "id"
          ? Number(a.id) - Number(b.id)
          : a[field as "key" | "name"].localeCompare(b[field as "key" | "name"]);
      const spaces = (visible(request) ? request.store.spaces : [])
        .filter((space) => keys.length === 0 || keys.includes(space.key))
        .filter((space) => ids.length === 0 || ids.includes(space.id))
        .filter((space) => type === null || space.type === type)
        .filter((space) => status === null || space.status === status)
        .sort((a, b) => (sort.startsWith("-") ? -compare(a, b) : compare(a, b)));
      return v2List(request, spaces, (space) => spaceJson(request, space, false));
    },
  },
  {
    method: "GET",
    template: `${V2}/spaces/{id}`,
    spec: "v2",
    scopes: { current: granular("read:space") },
    handle(request) {
      const space = visible(request) ? request.store.spaceById(request.params.id!) : undefined;
      return space ? { status: 200, json: spaceJson(request, space, true) } : notFound();
    },
  },
  {
    method: "GET",
    template: `${V2}/spaces/{id}/pages`,
    spec: "v2",
    scopes: { current: granular("read:page") },
    handle(request) {
      const space = visible(request) ? request.store.spaceById(request.params.id!) : undefined;
      if (!space) return notFound();
      let pages = request.store.pages.filter((page) => page.spaceId === space.id);
      if (request.url.searchParams.get("depth") === "root")
        pages = pages.filter((page) => page.parentId === null);
      return listPages(request, pages);
    },
  },
  {
    method: "GET",
    template: `${V2}/pages`,
    spec: "v2",
    scopes: { current: granular("read:page") },
    handle(request) {
      const spaceIds = csv(request, "space-id");
      const ids = csv(request, "id");
      const pages = (visible(request) ? request.store.pages : [])
        .filter((page) => spaceIds.length === 0 || spaceIds.includes(page.spaceId))
        .filter((page) => ids.length === 0 || ids.includes(page.id));
      return listPages(request, pages);
    },
  },
  {
    method: "GET",
    template: `${V2}/pages/{id}`,
    spec: "v2",
    scopes: { current: granular("read:page") },
    handle(request) {
      const format = bodyFormat(request, singleFormats);
      if (typeof format === "object" && format !== null) return format;
      const page = visible(request) ? request.store.page(request.params.id!) : undefined;
      const statuses = csv(request, "status");
      if (!page || (page.status === "trashed" && !statuses.includes("trashed"))) return notFound();
      // `version`: "retrieve a previously published version" (spec-v2 getPageById); an unknown one is a 404
      const wanted = request.url.searchParams.get("version");
      if (wanted === null) return { status: 200, json: pageJson(request, page, format, true) };
      const atVersion = /^\d+$/.test(wanted) ? pageAtVersion(page, Number(wanted)) : undefined;
      if (!atVersion) return notFound();
      return { status: 200, json: pageJson(request, atVersion, format, true) };
    },
  },
  {
    method: "POST",
    template: `${V2}/pages`,
    spec: "v2",
    scopes: { current: granular("write:page") },
    handle: createPage,
  },
  {
    method: "PUT",
    template: `${V2}/pages/{id}`,
    spec: "v2",
    scopes: { current: granular("write:page") },
    handle: updatePage,
  },
  {
    method: "DELETE",
    template: `${V2}/pages/{id}`,
    spec: "v2",
    scopes: { current: granular("delete:page") },
    handle(request) {
      // "purge=true … on a trashed page purges it" (spec-v2 deletePage); a live page is trashed first
      if (request.url.searchParams.get("purge") === "true") {
        const trashed = visible(request) ? request.store.page(request.params.id!) : undefined;
        if (!trashed) return notFound();
        if (trashed.status !== "trashed") return badRequest("Only a trashed page can be purged");
        request.store.purge(trashed.id);
        return { status: 204 };
      }
      const page = livePageFor(request);
      if (!page) return notFound();
      page.status = "trashed";
      return { status: 204 };
    },
  },
  {
    method: "GET",
    template: `${V2}/pages/{id}/versions`,
    spec: "v2",
    scopes: { current: granular("read:page") },
    handle(request) {
      const page = livePageFor(request);
      if (!page) return notFound();
      const sort = request.url.searchParams.get("sort") ?? "modified-date";
      if (sort !== "modified-date" && sort !== "-modified-date")
        return badRequest(`Invalid value for sort: ${sort}`);
      const versions = [...(page.history ?? []).map((h) => h.version), page.version];
      if (sort === "-modified-date") versions.reverse();
      return v2List(request, versions, (version) => ({
        ...versionJson(version),
        page: { id: page.id, title: page.title },
      }));
    },
  },
  {
    method: "GET",
    template: `${V2}/pages/{id}/properties`,
    spec: "v2",
    specTemplate: `${V2}/pages/{page-id}/properties`,
    scopes: { current: granular("read:page") },
    handle(request) {
      const page = livePageFor(request);
      if (!page) return notFound();
      const key = request.url.searchParams.get("key");
      const properties = (page.properties ?? []).filter((p) => key === null || p.key === key);
      return v2List(request, properties, propertyJson);
    },
  },
  {
    method: "POST",
    template: `${V2}/pages/{id}/properties`,
    spec: "v2",
    specTemplate: `${V2}/pages/{page-id}/properties`,
    scopes: { current: granular("read:page", "write:page") },
    handle(request) {
      const page = livePageFor(request);
      if (!page) return notFound();
      const body = parseJsonBody(request.body);
      if (!isRecord(body) || typeof body.key !== "string" || body.key === "" || !("value" in body)) {
        return badRequest("key and value are required");
      }
      if ((page.properties ?? []).some((p) => p.key === body.key)) {
        return badRequest(`A property with key '${body.key}' already exists`);
      }
      const property: PropertyRecord = {
        id: request.store.newId(),
        key: body.key,
        value: body.value,
        version: newVersion(request, 1, ""),
      };
      page.properties = [...(page.properties ?? []), property];
      return { status: 200, json: propertyJson(property) };
    },
  },
  {
    method: "GET",
    template: `${V2}/pages/{id}/properties/{propertyId}`,
    spec: "v2",
    specTemplate: `${V2}/pages/{page-id}/properties/{property-id}`,
    scopes: { current: granular("read:page") },
    handle(request) {
      const property = propertyFor(request);
      return property ? { status: 200, json: propertyJson(property) } : notFound();
    },
  },
  {
    method: "PUT",
    template: `${V2}/pages/{id}/properties/{propertyId}`,
    spec: "v2",
    specTemplate: `${V2}/pages/{page-id}/properties/{property-id}`,
    scopes: { current: granular("read:page", "write:page") },
    handle(request) {
      const property = propertyFor(request);
      if (!property) return notFound();
      const body = parseJsonBody(request.body);
      if (!isRecord(body) || !("value" in body) || !isRecord(body.version)) {
        return badRequest("value and version are required");
      }
      const number = Number(body.version.number);
      if (number !== property.version.number + 1) {
        // the page's 409 shape (§1.5); spec-v2 documents no 409 for properties either [unverified text]
        return {
          status: 409,
          json: v2ErrorBody(
            409,
            "CONFLICT",
            `Version must be incremented when updating a property. Current Version: [${property.version.number}]. Provided version: [${Number.isNaN(number) ? "" : number}]`,
          ),
        };
      }
      if (typeof body.key === "string") property.key = body.key;
      property.value = body.value;
      property.version = newVersion(
        request,
        number,
        typeof body.version.message === "string" ? body.version.message : "",
      );
      return { status: 200, json: propertyJson(property) };
    },
  },
  {
    method: "DELETE",
    template: `${V2}/pages/{id}/properties/{propertyId}`,
    spec: "v2",
    specTemplate: `${V2}/pages/{page-id}/properties/{property-id}`,
    scopes: { current: granular("read:page", "write:page") },
    handle(request) {
      const page = livePageFor(request);
      const property = propertyFor(request);
      if (!page || !property) return notFound();
      page.properties = (page.properties ?? []).filter((p) => p !== property);
      return { status: 204 };
    },
  },
  {
    method: "GET",
    template: `${V2}/pages/{id}/direct-children`,
    spec: "v2",
    scopes: { current: granular("read:hierarchical-content") },
    handle(request) {
      const page = livePageFor(request);
      if (!page) return notFound();
      return v2List(request, request.store.children(page.id), (child) => ({
        id: child.id,
        status: child.status,
        title: child.title,
        type: "page",
        spaceId: child.spaceId,
        childPosition: child.position,
      }));
    },
  },
  {
    method: "GET",
    template: `${V2}/pages/{id}/descendants`,
    spec: "v2",
    scopes: { current: granular("read:hierarchical-content") },
    handle(request) {
      const page = livePageFor(request);
      if (!page) return notFound();
      // depth: 1–10, default 2 (spec-v2 getPageDescendants); deeper levels need another call
      const depthText = request.url.searchParams.get("depth");
      const depth = depthText === null ? 2 : Number(depthText);
      if (!Number.isInteger(depth) || depth < 1 || depth > 10) {
        return badRequest(`Invalid value for depth: ${depthText}`);
      }
      const found: Array<{ page: PageRecord; depth: number }> = [];
      const visit = (parent: PageRecord, level: number) => {
        for (const child of request.store.children(parent.id)) {
          found.push({ page: child, depth: level });
          if (level < depth) visit(child, level + 1);
        }
      };
      visit(page, 1);
      return v2List(request, found, ({ page: child, depth: level }) => ({
        id: child.id,
        status: child.status,
        title: child.title,
        type: "page",
        parentId: child.parentId,
        depth: level,
        childPosition: child.position,
      }));
    },
  },
  {
    method: "GET",
    template: `${V2}/pages/{id}/children`,
    spec: "v2",
    scopes: { current: granular("read:page") },
    handle(request) {
      const page = livePageFor(request);
      if (!page) return notFound();
      return v2List(request, request.store.children(page.id), (child) => ({
        id: child.id,
        status: child.status,
        title: child.title,
        spaceId: child.spaceId,
        childPosition: child.position,
      }));
    },
  },
  {
    method: "GET",
    template: `${V2}/pages/{id}/ancestors`,
    spec: "v2",
    scopes: { current: granular("read:content.metadata") },
    handle(request) {
      const page = livePageFor(request);
      if (!page) return notFound();
      return v2List(request, request.store.ancestors(page), (ancestor) => ({
        id: ancestor.id,
        type: "page",
      }));
    },
  },
  {
    method: "GET",
    template: `${V2}/pages/{id}/attachments`,
    spec: "v2",
    scopes: { current: granular("read:attachment") },
    handle(request) {
      const page = livePageFor(request);
      if (!page) return notFound();
      const filename = request.url.searchParams.get("filename");
      const attachments = request.store
        .attachmentsOf(page.id)
        .filter((attachment) => filename === null || attachment.title === filename);
      return v2List(request, attachments, (attachment) => attachmentJson(request, attachment), 50);
    },
  },
  {
    method: "GET",
    template: `${V2}/attachments/{id}`,
    spec: "v2",
    scopes: { current: granular("read:attachment") },
    handle(request) {
      if (!/^(att)?[0-9]+$/.test(request.params.id!)) return badRequest("Invalid attachment id");
      const attachment = visible(request) ? request.store.attachment(request.params.id!) : undefined;
      if (!attachment) return notFound();
      return {
        status: 200,
        json: {
          ...attachmentJson(request, attachment),
          _links: { ...attachmentJson(request, attachment)._links, base: `${request.siteOrigin}/wiki` },
        },
      };
    },
  },
  {
    method: "DELETE",
    template: `${V2}/attachments/{id}`,
    spec: "v2",
    scopes: { current: granular("delete:attachment") },
    handle(request) {
      // spec-v2 deleteAttachment: int64 id; 204, the attachment goes to the trash (purge not simulated)
      if (!/^[0-9]+$/.test(request.params.id!)) return badRequest("Invalid attachment id");
      const attachment = visible(request) ? request.store.attachment(`att${request.params.id}`) : undefined;
      if (!attachment) return notFound();
      request.store.attachments = request.store.attachments.filter((candidate) => candidate !== attachment);
      return { status: 204 };
    },
  },
  {
    method: "GET",
    template: `${V2}/pages/{id}/labels`,
    spec: "v2",
    scopes: { current: granular("read:page") },
    handle(request) {
      const page = livePageFor(request);
      if (!page) return notFound();
      const prefix = request.url.searchParams.get("prefix");
      const labels = request.store
        .labelsOf(page)
        .filter((label) => prefix === null || label.prefix === prefix);
      return v2List(request, labels, (label) => ({ id: label.id, name: label.name, prefix: label.prefix }));
    },
  },
  {
    method: "GET",
    template: `${V2}/pages/{id}/footer-comments`,
    spec: "v2",
    scopes: { current: granular("read:comment") },
    handle(request) {
      const page = livePageFor(request);
      if (!page) return notFound();
      const format = bodyFormat(request, listFormats);
      if (typeof format === "object" && format !== null) return format;
      return v2List(request, request.store.commentsOf(page.id), (comment) =>
        commentJson(request, comment, format),
      );
    },
  },
  {
    method: "POST",
    template: `${V2}/footer-comments`,
    spec: "v2",
    scopes: { current: granular("write:comment") },
    handle: createFooterComment,
  },
  // ---- v1 still in the 2026 spec (classic "Current" scopes, granular "Beta") ----
  v1Route(
    "GET",
    "/wiki/rest/api/search",
    { current: ["search:confluence"], beta: granular("read:content-details") },
    v1.search,
  ),
  v1Route(
    "GET",
    "/wiki/rest/api/content/search",
    { current: ["search:confluence"], beta: granular("read:content-details") },
    v1.contentSearch,
  ),
  v1Route(
    "GET",
    "/wiki/rest/api/user/current",
    { current: ["read:confluence-user"], beta: granular("read:content-details") },
    v1.currentUser,
  ),
  {
    method: "GET",
    template: "/wiki/rest/api/user/anonymous",
    spec: "v1",
    scopes: { current: ["read:confluence-user"], beta: granular("read:user") },
    handle: (request) => ({ status: 200, json: request.flavor.anonymousJson() }),
  },
  {
    method: "GET",
    template: "/wiki/rest/api/settings/systemInfo",
    spec: "v1",
    scopes: { current: ["manage:confluence-configuration"], beta: granular("read:configuration") },
    handle(request) {
      if (!visible(request)) return v1.v1Error(403, "Current user not permitted to use Confluence");
      return {
        status: 200,
        json: {
          cloudId: request.cloudId,
          commitHash: "0123456789abcdef0123456789abcdef01234567",
          baseUrl: `${request.siteOrigin}/wiki`,
          fallbackBaseUrl: `${request.siteOrigin}/wiki`,
          edition: "standard",
          siteTitle: "Confluence",
          defaultLocale: "en_US",
          defaultTimeZone: "UTC",
          microsPerimeter: "commercial",
        },
      };
    },
  },
  v1Route(
    "POST",
    "/wiki/rest/api/content/{id}/child/attachment",
    {
      current: ["write:confluence-file"],
      beta: granular("read:content-details", "write:attachment"),
    },
    (flavor, request) => v1.uploadAttachments(flavor, request, "create"),
  ),
  v1Route(
    "PUT",
    "/wiki/rest/api/content/{id}/child/attachment",
    {
      current: ["write:confluence-file"],
      beta: granular("read:content-details", "write:attachment"),
    },
    (flavor, request) => v1.uploadAttachments(flavor, request, "create-or-version"),
  ),
  v1Route(
    "POST",
    "/wiki/rest/api/content/{id}/child/attachment/{attachmentId}/data",
    {
      current: ["write:confluence-file"],
      beta: granular("read:content-details", "write:attachment"),
    },
    v1.updateAttachmentData,
  ),
  {
    method: "GET",
    template: "/wiki/rest/api/content/{id}/child/attachment/{attachmentId}/download",
    spec: "v1",
    scopes: { current: ["readonly:content.attachment:confluence"], beta: granular("read:attachment") },
    handle: download,
  },
  v1Route(
    "POST",
    "/wiki/rest/api/content/{id}/label",
    { current: ["write:confluence-content"], beta: granular("read:label", "write:label") },
    v1.addLabels,
  ),
  v1Route(
    "DELETE",
    "/wiki/rest/api/content/{id}/label/{label}",
    { current: ["write:confluence-content"], beta: granular("write:label") },
    v1.removeLabel,
  ),
  v1Route(
    "DELETE",
    "/wiki/rest/api/content/{id}/label",
    { current: ["write:confluence-content"], beta: granular("write:label") },
    v1.removeLabel,
  ),
  // ---- v1 removed from the 2026 spec (deprecated in the 2023 file): 410 through the gateway ----
  removedV1Route(
    "GET",
    "/wiki/rest/api/content",
    { current: ["read:confluence-content.summary"], beta: granular("read:content-details") },
    v1.listContent,
  ),
  removedV1Route(
    "GET",
    "/wiki/rest/api/content/{id}",
    { current: ["read:confluence-content.summary"], beta: granular("read:content-details") },
    v1.getContent,
  ),
  removedV1Route(
    "PUT",
    "/wiki/rest/api/content/{id}",
    {
      current: ["write:confluence-content"],
      beta: granular("read:content-details", "write:content"),
    },
    v1.updateContent,
  ),
  removedV1Route(
    "DELETE",
    "/wiki/rest/api/content/{id}",
    { current: ["write:confluence-content"], beta: granular("delete:content") },
    v1.deleteContent,
  ),
  removedV1Route(
    "GET",
    "/wiki/rest/api/space",
    { current: ["read:confluence-space.summary"], beta: granular("read:content-details") },
    v1.listSpaces,
  ),
  removedV1Route(
    "GET",
    "/wiki/rest/api/space/{spaceKey}",
    { current: ["read:confluence-space.summary"], beta: granular("read:content-details") },
    v1.getSpace,
  ),
  removedV1Route(
    "GET",
    "/wiki/rest/api/content/{id}/child/page",
    { current: ["read:confluence-content.summary"], beta: granular("read:content-details") },
    v1.childPages,
    { specTemplate: "/wiki/rest/api/content/{id}/child/{type}" },
  ),
];

export const compiledCloudRoutes = compileRoutes(cloudRoutes);

/** A token passes a route when it holds every scope of either family (§3.1, spec x-atlassian-oauth2-scopes). */
export function scopesSatisfied(route: CloudRoute, held: string[]): boolean {
  const has = (set: string[]) => set.every((scope) => held.includes(scope));
  return has(route.scopes.current) || (route.scopes.beta !== undefined && has(route.scopes.beta));
}

/** The exact GoneException body the gateway sends for removed v1 routes (Spenhouet #207, §1.13). */
export const goneBody = {
  statusCode: 410,
  data: { authorized: true, valid: true, errors: [], successful: true },
  message:
    "com.atlassian.confluence.api.service.exceptions.pagesmodes.GoneException: This deprecated endpoint has been removed.",
};

/** Deprecated v1 responses on the site (quarto-cli #4805, §1.13). */
export const deprecationHeaders = {
  deprecation: "Wed, 1 Mar 2023 00:00:00 GMT",
  link: '<https://developer.atlassian.com/cloud/confluence/changelog/#CHANGE-864>; rel="deprecation"',
  warning: '299 - "Deprecated API, will be removed on Mon, 31 Mar 2025 00:00:00 GMT"',
};
