/**
 * Confluence REST v1 behaviour shared by Cloud (/wiki/rest/api on the site and the gateway) and Data Center
 * (/rest/api under the context path). The two flavours differ in link bases, user shapes and limit caps
 * (confluence-api.md §1.10–§1.12, §5).
 */

import { asksForAttachments, parseCql, runAttachmentCql, runCql } from "./cql.js";
import type { AttachmentRecord, CommentRecord, PageRecord, PropertyRecord, SpaceRecord } from "./fixtures.js";
import {
  decodeCursor,
  encodeCursor,
  type MultipartPart,
  parseMultipart,
  readV1Paging,
  v1ErrorBody,
} from "./respond.js";
import { isRecord, type Principal, parseJsonBody, type RouteRequest, type RouteResult } from "./router.js";
import {
  type ContentStore,
  pageAtVersion,
  rememberVersion,
  storageToAdf,
  storageToText,
  storageToView,
  tinyLink,
} from "./store.js";
import type { SimUser } from "./types.js";

export interface V1Flavor {
  product: "cloud" | "dc";
  /** `_links.base`: <site>/wiki on Cloud, <origin><context> on DC */
  base: string;
  /** `_links.context`: /wiki on Cloud, the context path on DC */
  context: string;
  /** cap for search limit (Cloud search 50, DC 100): clients must follow `next`, not count */
  searchCap: number;
  /** cap for other lists */
  listCap: number;
  userJson(user: SimUser): Record<string, unknown>;
  anonymousJson(): Record<string, unknown>;
  store: ContentStore;
  /** who wrote the seed content, in this flavour's user shape */
  author: SimUser;
}

export function v1Error(
  status: number,
  message: string,
  extra: Parameters<typeof v1ErrorBody>[2] = {},
): RouteResult {
  return { status, json: v1ErrorBody(status, message, extra) };
}

function contentNotFound(id: string): RouteResult {
  return v1Error(404, `No content found with id: ContentId{id=${id}}`, { authorized: false });
}

export function canRead(principal: Principal): boolean {
  return principal.kind === "user";
}

function expansions(url: URL): Set<string> {
  return new Set(
    (url.searchParams.get("expand") ?? "")
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean),
  );
}

function versionJson(flavor: V1Flavor, record: PageRecord["version"]): Record<string, unknown> {
  const author = flavor.author;
  return {
    by: flavor.userJson(author),
    when: record.createdAt,
    number: record.number,
    minorEdit: record.minorEdit,
    message: record.message,
    _links: {},
  };
}

export function spaceJson(
  flavor: V1Flavor,
  space: SpaceRecord,
  expand: Set<string> = new Set(),
): Record<string, unknown> {
  const expanded: Record<string, unknown> = {};
  if (expand.has("description.plain") || expand.has("description")) {
    expanded.description = { plain: { value: space.description, representation: "plain" } };
  }
  if (expand.has("homepage")) {
    const home = flavor.store.page(space.homepageId);
    if (home) expanded.homepage = contentJson(flavor, home, new Set());
  }
  return {
    id: Number(space.id),
    key: space.key,
    name: space.name,
    type: space.type,
    status: space.status,
    ...expanded,
    _links: {
      webui: flavor.product === "cloud" ? `/spaces/${space.key}` : `/display/${space.key}`,
      self: `${flavor.base}/rest/api/space/${encodeURIComponent(space.key)}`,
    },
    _expandable: { homepage: `/rest/api/content/${space.homepageId}`, description: "" },
  };
}

function pageLinks(flavor: V1Flavor, page: PageRecord): Record<string, string> {
  const space = flavor.store.spaceById(page.spaceId);
  const slug = encodeURIComponent(page.title).replace(/%20/g, "+");
  return {
    webui:
      flavor.product === "cloud"
        ? `/spaces/${space?.key ?? ""}/pages/${page.id}/${slug}`
        : `/pages/viewpage.action?pageId=${page.id}`,
    edit: `/pages/resumedraft.action?draftId=${page.id}`,
    tinyui: `/x/${tinyLink(page.id)}`,
    self: `${flavor.base}/rest/api/content/${page.id}`,
  };
}

export function contentJson(
  flavor: V1Flavor,
  page: PageRecord,
  expand: Set<string>,
): Record<string, unknown> {
  const store = flavor.store;
  const space = store.spaceById(page.spaceId);
  const json: Record<string, unknown> = {
    id: page.id,
    type: "page",
    status: page.status,
    title: page.title,
    space: space ? spaceJson(flavor, space) : undefined,
    history: {
      latest: true,
      createdBy: flavor.userJson(flavor.author),
      createdDate: page.createdAt,
      _links: {},
    },
    version: versionJson(flavor, page.version),
    _links: pageLinks(flavor, page),
  };
  const expandable: Record<string, string> = {
    children: `/rest/api/content/${page.id}/child`,
    descendants: `/rest/api/content/${page.id}/descendant`,
    restrictions: `/rest/api/content/${page.id}/restriction/byOperation`,
  };
  if (expand.has("ancestors")) {
    json.ancestors = store.ancestors(page).map((ancestor) => ({
      id: ancestor.id,
      type: "page",
      status: ancestor.status,
      title: ancestor.title,
      _links: pageLinks(flavor, ancestor),
      _expandable: {},
    }));
  } else expandable.ancestors = "";
  const body: Record<string, unknown> = {};
  for (const format of ["storage", "view", "export_view", "atlas_doc_format"]) {
    if (!expand.has(`body.${format}`)) continue;
    const value =
      format === "storage"
        ? page.body
        : format === "atlas_doc_format"
          ? storageToAdf(page.body)
          : storageToView(page.body);
    body[format] = {
      value,
      representation: format,
      _expandable: { content: `/rest/api/content/${page.id}` },
    };
  }
  if (Object.keys(body).length > 0) json.body = { ...body, _expandable: {} };
  else expandable.body = "";
  if (expand.has("metadata.labels")) {
    json.metadata = { labels: labelArrayJson(flavor, page, 0, 200), _expandable: {} };
  }
  json._expandable = expandable;
  return json;
}

export function attachmentJson(flavor: V1Flavor, attachment: AttachmentRecord): Record<string, unknown> {
  const page = flavor.store.page(attachment.pageId);
  return {
    id: attachment.id,
    type: "attachment",
    status: attachment.status,
    title: attachment.title,
    version: versionJson(flavor, attachment.version),
    container: page
      ? {
          id: page.id,
          type: "page",
          status: page.status,
          title: page.title,
          _links: pageLinks(flavor, page),
          _expandable: {},
        }
      : undefined,
    metadata: { mediaType: attachment.mediaType, comment: attachment.comment, _expandable: {} },
    extensions: {
      mediaType: attachment.mediaType,
      fileSize: attachment.spooled?.size ?? attachment.bytes.length,
      comment: attachment.comment,
      fileId: attachment.fileId,
    },
    _links: {
      webui: `/pages/viewpageattachments.action?pageId=${attachment.pageId}&preview=${encodeURIComponent(`/${attachment.pageId}/${attachment.title}`)}`,
      download: downloadPath(attachment),
      self: `${flavor.base}/rest/api/content/${attachment.id}`,
    },
    _expandable: {},
  };
}

export function downloadPath(attachment: AttachmentRecord): string {
  return `/download/attachments/${attachment.pageId}/${encodeURIComponent(attachment.title)}?version=${attachment.version.number}&modificationDate=${Date.parse(attachment.version.createdAt)}&api=v2`;
}

function listLinks(
  flavor: V1Flavor,
  url: URL,
  apiPath: string,
  offset: number,
  limit: number,
  total: number,
  paging: "start" | "cursor",
): Record<string, string> {
  const links: Record<string, string> = {
    base: flavor.base,
    context: flavor.context,
    self: `${flavor.base}${apiPath}${url.search}`,
  };
  const withOffset = (next: number): string => {
    const params = new URLSearchParams(url.search);
    params.delete("start");
    params.delete("cursor");
    params.set("limit", String(limit));
    if (paging === "cursor") params.set("cursor", encodeCursor(next));
    else params.set("start", String(next));
    // relative to `base` (/rest/api/..., not /wiki/rest/api/...): salto-io PR #6053 (§1.10)
    return `${apiPath}?${params.toString()}`;
  };
  if (offset + limit < total && limit > 0) links.next = withOffset(offset + limit);
  if (offset > 0) links.prev = withOffset(Math.max(0, offset - limit));
  return links;
}

function paged<T>(
  flavor: V1Flavor,
  request: RouteRequest,
  apiPath: string,
  items: T[],
  render: (item: T) => unknown,
  options: { defaultLimit: number; cap: number; paging: "start" | "cursor"; extra?: Record<string, unknown> },
): RouteResult {
  const paging = readV1Paging(request.url, options.defaultLimit, options.cap);
  if ("error" in paging) return { status: 400, json: { statusCode: 400, message: paging.error } };
  let offset = paging.start;
  if (options.paging === "cursor" && request.url.searchParams.has("cursor")) {
    const decoded = decodeCursor(request.url.searchParams.get("cursor"));
    if (decoded === undefined) {
      return v1Error(400, "Invalid cursor: XP-Search Aggregator API could not decode the cursor");
    }
    offset = decoded;
  }
  const slice = items.slice(offset, offset + paging.limit);
  return {
    status: 200,
    json: {
      results: slice.map(render),
      start: offset,
      limit: paging.limit,
      size: slice.length,
      ...options.extra,
      _links: listLinks(flavor, request.url, apiPath, offset, paging.limit, items.length, options.paging),
    },
  };
}

/** The measured missing-cql refusal (backlot, 2026-10-05, §1.11): note successful:true and no reason. */
const missingCqlBody = {
  statusCode: 400,
  data: { authorized: true, valid: true, errors: [], successful: true },
  message:
    "com.atlassian.confluence.api.service.exceptions.api.BadRequestException: cql query parameter is required",
};

function searchedPages(flavor: V1Flavor, request: RouteRequest): PageRecord[] | RouteResult {
  const cql = request.url.searchParams.get("cql");
  if (cql === null || cql.trim() === "") return { status: 400, json: missingCqlBody };
  const query = parseCql(cql);
  if ("error" in query) return v1Error(400, query.error);
  return canRead(request.principal) ? runCql(flavor.store, query) : [];
}

export function search(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const pages = searchedPages(flavor, request);
  if (!Array.isArray(pages)) return pages;
  const cql = request.url.searchParams.get("cql") ?? "";
  const result = paged(
    flavor,
    request,
    "/rest/api/search",
    pages,
    (page) => {
      const space = flavor.store.spaceById(page.spaceId);
      const links = pageLinks(flavor, page);
      return {
        content: contentJson(flavor, page, new Set()),
        title: page.title,
        excerpt: storageToText(page.body).slice(0, 120),
        url: links.webui,
        resultGlobalContainer: { title: space?.name ?? "", displayUrl: `/spaces/${space?.key ?? ""}` },
        breadcrumbs: [],
        entityType: "content",
        iconCssClass: "aui-icon content-type-page",
        lastModified: page.version.createdAt,
        friendlyLastModified: new Date(page.version.createdAt).toDateString(),
        score: 1,
      };
    },
    { defaultLimit: 25, cap: flavor.searchCap, paging: "cursor" },
  );
  if (isRecord(result.json)) {
    result.json.totalSize = pages.length;
    result.json.cqlQuery = cql;
    result.json.searchDuration = 7;
  }
  return result;
}

export function contentSearch(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const cql = request.url.searchParams.get("cql");
  const query = cql === null ? undefined : parseCql(cql);
  if (query && !("error" in query) && asksForAttachments(query.where)) {
    const attachments = canRead(request.principal) ? runAttachmentCql(flavor.store, query) : [];
    const expand = expansions(request.url);
    return paged(
      flavor,
      request,
      "/rest/api/content/search",
      attachments,
      (attachment) => {
        const json = attachmentJson(flavor, attachment);
        if (!expand.has("container")) delete json.container;
        return json;
      },
      { defaultLimit: 25, cap: flavor.searchCap, paging: "cursor" },
    );
  }
  const pages = searchedPages(flavor, request);
  if (!Array.isArray(pages)) return pages;
  const expand = expansions(request.url);
  return paged(
    flavor,
    request,
    "/rest/api/content/search",
    pages,
    (page) => contentJson(flavor, page, expand),
    {
      defaultLimit: 25,
      cap: flavor.searchCap,
      paging: "cursor",
    },
  );
}

export function currentUser(flavor: V1Flavor, request: RouteRequest): RouteResult {
  if (request.principal.kind === "anonymous") return { status: 200, json: flavor.anonymousJson() };
  return { status: 200, json: flavor.userJson(request.principal.user) };
}

export function listContent(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const params = request.url.searchParams;
  const type = params.get("type") ?? "page";
  const spaceKey = params.get("spaceKey");
  const title = params.get("title");
  let pages =
    canRead(request.principal) && type === "page"
      ? flavor.store.pages.filter((p) => p.status === "current")
      : [];
  if (spaceKey !== null) {
    const space = flavor.store.spaceByKey(spaceKey);
    pages = pages.filter((page) => page.spaceId === space?.id);
  }
  if (title !== null) pages = pages.filter((page) => page.title === title);
  pages = [...pages].sort((a, b) => Number(a.id) - Number(b.id));
  const expand = expansions(request.url);
  return paged(flavor, request, "/rest/api/content", pages, (page) => contentJson(flavor, page, expand), {
    defaultLimit: 25,
    cap: flavor.listCap,
    paging: "start",
  });
}

export function getContent(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const id = request.params.id!;
  const page = canRead(request.principal) ? flavor.store.livePage(id) : undefined;
  const wanted = request.url.searchParams.get("version");
  if (page && wanted !== null) {
    // An earlier version is content with status "historical" (spec-dc getContentById: status, version).
    const old = /^\d+$/.test(wanted) ? pageAtVersion(page, Number(wanted)) : undefined;
    if (!old) return contentNotFound(id);
    const json = contentJson(flavor, old, expansions(request.url));
    if (old !== page) json.status = "historical";
    return { status: 200, json };
  }
  if (page) return { status: 200, json: contentJson(flavor, page, expansions(request.url)) };
  const attachment = canRead(request.principal) ? flavor.store.attachment(id) : undefined;
  if (attachment && id.startsWith("att")) return { status: 200, json: attachmentJson(flavor, attachment) };
  return contentNotFound(id);
}

function storageFrom(body: unknown): string | undefined {
  if (!isRecord(body) || !isRecord(body.body)) return undefined;
  const storage = body.body.storage;
  if (isRecord(storage) && typeof storage.value === "string") return storage.value;
  return undefined;
}

export function createContent(flavor: V1Flavor, request: RouteRequest): RouteResult {
  if (!canRead(request.principal))
    return v1Error(403, "Not permitted to create content", { authorized: false });
  if (request.body.length > 5 * 1024 * 1024) {
    return v1Error(413, "Requests for this resource can be at most 5242880 bytes");
  }
  const body = parseJsonBody(request.body);
  if (!isRecord(body) || typeof body.type !== "string")
    return v1Error(400, "Must supply a type for new content");
  if (body.type !== "page") return v1Error(400, `Unsupported content type: ${String(body.type)}`);
  const spaceKey = isRecord(body.space) ? body.space.key : undefined;
  const space = typeof spaceKey === "string" ? flavor.store.spaceByKey(spaceKey) : undefined;
  if (!space) return v1Error(403, `Space does not exist or you do not have permission: ${String(spaceKey)}`);
  if (typeof body.title !== "string" || body.title === "")
    return v1Error(400, "Title is required for a page");
  if (flavor.store.titleTaken(space.id, body.title)) {
    return v1Error(
      400,
      `A page with this title already exists: A page already exists with the same TITLE in this space`,
    );
  }
  let parentId: string | null = space.homepageId;
  if (Array.isArray(body.ancestors) && isRecord(body.ancestors[0])) {
    const wanted = String(body.ancestors[0].id);
    if (!flavor.store.livePage(wanted))
      return v1Error(404, `No content found with id: ContentId{id=${wanted}}`);
    parentId = wanted;
  }
  const store = flavor.store;
  const page: PageRecord = {
    id: store.newId(),
    spaceId: space.id,
    title: body.title,
    parentId,
    status: "current",
    position: store.children(parentId).length,
    authorId: flavor.author.accountId,
    createdAt: store.now(),
    version: {
      number: 1,
      createdAt: store.now(),
      message: "",
      minorEdit: false,
      authorId: flavor.author.accountId,
    },
    body: storageFrom(body) ?? "",
    labels: [],
  };
  store.pages.push(page);
  // spec-dc createContent: `expand` defaults to body.storage,history,space,…,version,ancestors
  const expand = request.url.searchParams.has("expand")
    ? expansions(request.url)
    : new Set(["body.storage", "ancestors"]);
  return { status: 200, json: contentJson(flavor, page, expand) };
}

export function updateContent(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const id = request.params.id!;
  const page = canRead(request.principal) ? flavor.store.livePage(id) : undefined;
  if (!page) return contentNotFound(id);
  const body = parseJsonBody(request.body);
  if (
    !isRecord(body) ||
    typeof body.type !== "string" ||
    !isRecord(body.version) ||
    typeof body.title !== "string"
  ) {
    return v1Error(400, "Missing required parameters (version, type, title)");
  }
  const number = Number(body.version.number);
  if (number !== page.version.number + 1) {
    // message text: go-markdown2confluence #43 and a Perl client's matcher (§1.5)
    return v1Error(409, `Version must be incremented on update. Current version is: ${page.version.number}`);
  }
  if (body.title !== page.title && flavor.store.titleTaken(page.spaceId, body.title, page.id)) {
    return v1Error(
      400,
      "A page with this title already exists: A page already exists with the same TITLE in this space",
    );
  }
  rememberVersion(page);
  page.title = body.title;
  const storage = storageFrom(body);
  if (storage !== undefined) page.body = storage;
  if (Array.isArray(body.ancestors) && isRecord(body.ancestors[0])) {
    const parent = flavor.store.livePage(String(body.ancestors[0].id));
    if (!parent) return contentNotFound(String(body.ancestors[0].id));
    if (parent.id === page.id || flavor.store.ancestors(parent).some((a) => a.id === page.id)) {
      return v1Error(400, "A page cannot be moved under itself or one of its descendants");
    }
    page.parentId = parent.id;
  }
  page.version = {
    number,
    createdAt: flavor.store.now(),
    message: typeof body.version.message === "string" ? body.version.message : "",
    minorEdit: body.version.minorEdit === true,
    authorId: flavor.author.accountId,
  };
  return { status: 200, json: contentJson(flavor, page, new Set(["body.storage"])) };
}

export function deleteContent(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const id = request.params.id!;
  // `status=trashed` purges content that is already in the trash (spec-dc deleteContent: 204 "purged")
  if (request.url.searchParams.get("status") === "trashed") {
    const trashed = canRead(request.principal) ? flavor.store.page(id) : undefined;
    if (trashed?.status !== "trashed") return contentNotFound(id);
    flavor.store.purge(id);
    return { status: 204 };
  }
  const page = canRead(request.principal) ? flavor.store.livePage(id) : undefined;
  if (!page) return contentNotFound(id);
  page.status = "trashed";
  return { status: 204 };
}

/** Content properties (spec-dc /rest/api/content/{id}/property…): JsonContentProperty. */
function propertyJson(flavor: V1Flavor, page: PageRecord, property: PropertyRecord): Record<string, unknown> {
  return {
    id: property.id,
    key: property.key,
    value: property.value,
    version: { ...versionJson(flavor, property.version), hidden: false },
    _links: {
      base: flavor.base,
      context: flavor.context,
      self: `${flavor.base}/rest/api/content/${page.id}/property/${encodeURIComponent(property.key)}`,
    },
    _expandable: { content: `/rest/api/content/${page.id}` },
  };
}

function propertyPage(flavor: V1Flavor, request: RouteRequest): PageRecord | RouteResult {
  const id = request.params.id!;
  const page = canRead(request.principal) ? flavor.store.livePage(id) : undefined;
  return page ?? contentNotFound(id);
}

export function listProperties(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const page = propertyPage(flavor, request);
  if ("status" in page && typeof page.status === "number") return page as RouteResult;
  const record = page as PageRecord;
  return paged(
    flavor,
    request,
    `/rest/api/content/${record.id}/property`,
    record.properties ?? [],
    (property) => propertyJson(flavor, record, property),
    { defaultLimit: 10, cap: flavor.listCap, paging: "start" },
  );
}

export function getProperty(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const page = propertyPage(flavor, request);
  if ("status" in page && typeof page.status === "number") return page as RouteResult;
  const record = page as PageRecord;
  const property = record.properties?.find((p) => p.key === request.params.key);
  if (!property) return v1Error(404, `Cannot find property '${request.params.key}' on content ${record.id}`);
  return { status: 200, json: propertyJson(flavor, record, property) };
}

export function createProperty(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const page = propertyPage(flavor, request);
  if ("status" in page && typeof page.status === "number") return page as RouteResult;
  const record = page as PageRecord;
  const body = parseJsonBody(request.body);
  if (!isRecord(body) || typeof body.key !== "string" || body.key === "" || !("value" in body)) {
    return v1Error(400, "A content property needs a key and a value");
  }
  if (record.properties?.some((p) => p.key === body.key)) {
    return v1Error(400, `A property with key '${body.key}' already exists on content ${record.id}`);
  }
  const property: PropertyRecord = {
    id: flavor.store.newId(),
    key: body.key,
    value: body.value,
    version: {
      number: 1,
      createdAt: flavor.store.now(),
      message: "",
      minorEdit: false,
      authorId: flavor.author.accountId,
    },
  };
  record.properties = [...(record.properties ?? []), property];
  return { status: 200, json: propertyJson(flavor, record, property) };
}

export function updateProperty(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const page = propertyPage(flavor, request);
  if ("status" in page && typeof page.status === "number") return page as RouteResult;
  const record = page as PageRecord;
  const property = record.properties?.find((p) => p.key === request.params.key);
  if (!property) return v1Error(404, `Cannot find property '${request.params.key}' on content ${record.id}`);
  const body = parseJsonBody(request.body);
  if (!isRecord(body) || !("value" in body) || !isRecord(body.version)) {
    return v1Error(400, "A content property update needs a value and a version");
  }
  if (typeof body.key === "string" && body.key !== property.key) {
    return v1Error(400, "The key in the body does not match the key in the path");
  }
  const number = Number(body.version.number);
  if (number !== property.version.number + 1) {
    // spec-dc: 409 "the given version is does not match the expected target version"
    return v1Error(
      409,
      `Version must be incremented on update. Current version is: ${property.version.number}`,
    );
  }
  property.value = body.value;
  property.version = {
    number,
    createdAt: flavor.store.now(),
    message: "",
    minorEdit: body.version.minorEdit === true,
    authorId: flavor.author.accountId,
  };
  return { status: 200, json: propertyJson(flavor, record, property) };
}

export function deleteProperty(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const page = propertyPage(flavor, request);
  if ("status" in page && typeof page.status === "number") return page as RouteResult;
  const record = page as PageRecord;
  const property = record.properties?.find((p) => p.key === request.params.key);
  if (!property) return v1Error(404, `Cannot find property '${request.params.key}' on content ${record.id}`);
  record.properties = (record.properties ?? []).filter((p) => p !== property);
  return { status: 204 };
}

/**
 * `GET /rest/api/content/{id}/child/{type}` for one type: the readable page's children of that type, with
 * their expansions, start/limit paging (25 by default).
 */
function childList<T>(
  flavor: V1Flavor,
  request: RouteRequest,
  type: string,
  items: (pageId: string) => T[],
  render: (item: T, expand: Set<string>) => unknown,
): RouteResult {
  const id = request.params.id!;
  const page = canRead(request.principal) ? flavor.store.livePage(id) : undefined;
  if (!page) return contentNotFound(id);
  const expand = expansions(request.url);
  return paged(
    flavor,
    request,
    `/rest/api/content/${id}/child/${type}`,
    items(id),
    (item) => render(item, expand),
    { defaultLimit: 25, cap: flavor.listCap, paging: "start" },
  );
}

export function childPages(flavor: V1Flavor, request: RouteRequest): RouteResult {
  return childList(
    flavor,
    request,
    "page",
    (id) => flavor.store.children(id),
    (child, expand) => contentJson(flavor, child, expand),
  );
}

export function listAttachments(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const id = request.params.id!;
  const page = canRead(request.principal) ? flavor.store.livePage(id) : undefined;
  if (!page) return contentNotFound(id);
  const filename = request.url.searchParams.get("filename");
  const attachments = flavor.store
    .attachmentsOf(id)
    .filter((attachment) => filename === null || attachment.title === filename);
  return paged(
    flavor,
    request,
    `/rest/api/content/${id}/child/attachment`,
    attachments,
    (attachment) => attachmentJson(flavor, attachment),
    { defaultLimit: 50, cap: flavor.listCap, paging: "start" },
  );
}

/**
 * Uploads (§1.7): `X-Atlassian-Token: no-check` is mandatory (XSRF protection); multipart parts `file` (one or
 * more) and `minorEdit`; optional `comment` parts pair with files in order.
 * mode "create": 400 on a duplicate filename (unless allowDuplicated on DC); "create-or-version": Cloud PUT.
 */
export function uploadAttachments(
  flavor: V1Flavor,
  request: RouteRequest,
  mode: "create" | "create-or-version",
): RouteResult {
  const xsrf = headerValue(request, "x-atlassian-token");
  if (xsrf !== "no-check" && xsrf !== "nocheck") {
    return { status: 403, text: "XSRF check failed", contentType: "text/plain" };
  }
  const id = request.params.id!;
  const page = canRead(request.principal) ? flavor.store.livePage(id) : undefined;
  if (!page) return contentNotFound(id);
  const parts = request.parts ?? parseMultipart(request.body, headerValue(request, "content-type"));
  if (!parts) return v1Error(400, "Request must be multipart/form-data with a file part");
  const files = parts.filter((part) => part.name === "file" && part.filename !== undefined);
  const minorEdit = parts.find((part) => part.name === "minorEdit");
  if (files.length === 0) return v1Error(400, "At least one file part named 'file' is required");
  if (!minorEdit) return v1Error(400, "The minorEdit parameter is required");
  const comments = parts.filter((part) => part.name === "comment").map((part) => part.data.toString("utf8"));
  const allowDuplicated = request.url.searchParams.get("allowDuplicated") === "true";
  const store = flavor.store;
  if (mode === "create" && !allowDuplicated) {
    for (const file of files) {
      if (store.attachmentsOf(id).some((existing) => existing.title === file.filename)) {
        return v1Error(
          400,
          `Cannot add a new attachment with same file name as an existing attachment: ${file.filename}`,
        );
      }
    }
  }
  const results: AttachmentRecord[] = [];
  files.forEach((file, index) => {
    const existing =
      mode === "create-or-version"
        ? store.attachmentsOf(id).find((attachment) => attachment.title === file.filename)
        : undefined;
    const comment = comments[index] ?? "";
    const attachment = existing
      ? newAttachmentVersion(
          flavor,
          existing,
          file,
          file.contentType,
          comment,
          minorEdit.data.toString() === "true",
        )
      : newAttachment(flavor, page, file.filename!, file, file.contentType, comment);
    results.push(attachment);
  });
  return {
    status: 200,
    json: {
      results: results.map((attachment) => attachmentJson(flavor, attachment)),
      start: 0,
      limit: results.length,
      size: results.length,
      _links: { base: flavor.base, context: flavor.context },
    },
  };
}

function newAttachment(
  flavor: V1Flavor,
  page: PageRecord,
  title: string,
  file: MultipartPart,
  contentType: string | undefined,
  comment: string,
): AttachmentRecord {
  const store = flavor.store;
  const attachment: AttachmentRecord = {
    id: `att${store.newId()}`,
    pageId: page.id,
    title,
    mediaType: contentType ?? "application/octet-stream",
    fileId: store.newFileId(),
    bytes: file.data,
    ...(file.spooled ? { spooled: file.spooled } : {}),
    comment,
    status: "current",
    createdAt: store.now(),
    version: {
      number: 1,
      createdAt: store.now(),
      message: "",
      minorEdit: false,
      authorId: flavor.author.accountId,
    },
  };
  store.attachments.push(attachment);
  store.rememberMedia(attachment);
  return attachment;
}

function newAttachmentVersion(
  flavor: V1Flavor,
  attachment: AttachmentRecord,
  file: MultipartPart,
  contentType: string | undefined,
  comment: string,
  minorEdit: boolean,
): AttachmentRecord {
  const store = flavor.store;
  attachment.bytes = file.data;
  if (file.spooled) attachment.spooled = file.spooled;
  else delete attachment.spooled;
  if (contentType) attachment.mediaType = contentType;
  if (comment) attachment.comment = comment;
  attachment.fileId = store.newFileId();
  attachment.version = {
    number: attachment.version.number + 1,
    createdAt: store.now(),
    message: "",
    minorEdit,
    authorId: flavor.author.accountId,
  };
  store.rememberMedia(attachment);
  return attachment;
}

export function updateAttachmentData(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const xsrf = headerValue(request, "x-atlassian-token");
  if (xsrf !== "no-check" && xsrf !== "nocheck") {
    return { status: 403, text: "XSRF check failed", contentType: "text/plain" };
  }
  const id = request.params.id!;
  const page = canRead(request.principal) ? flavor.store.livePage(id) : undefined;
  const attachment = flavor.store.attachment(request.params.attachmentId!);
  if (!page || !attachment || attachment.pageId !== page.id) {
    return contentNotFound(request.params.attachmentId!);
  }
  const parts = request.parts ?? parseMultipart(request.body, headerValue(request, "content-type"));
  const file = parts?.find((part) => part.name === "file");
  const minorEdit = parts?.find((part) => part.name === "minorEdit");
  if (!file) return v1Error(400, "At least one file part named 'file' is required");
  if (!minorEdit) return v1Error(400, "The minorEdit parameter is required");
  const comment = parts?.find((part) => part.name === "comment")?.data.toString("utf8") ?? "";
  newAttachmentVersion(
    flavor,
    attachment,
    file,
    file.contentType,
    comment,
    minorEdit.data.toString() === "true",
  );
  return { status: 200, json: attachmentJson(flavor, attachment) };
}

function labelArrayJson(
  flavor: V1Flavor,
  page: PageRecord,
  start: number,
  limit: number,
): Record<string, unknown> {
  const labels = flavor.store.labelsOf(page);
  const slice = labels.slice(start, start + limit);
  return {
    results: slice.map((label) => ({
      prefix: label.prefix,
      name: label.name,
      id: label.id,
      label: label.name,
    })),
    start,
    limit,
    size: slice.length,
    _links: {
      base: flavor.base,
      context: flavor.context,
      self: `${flavor.base}/rest/api/content/${page.id}/label`,
    },
  };
}

export function listLabels(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const id = request.params.id!;
  const page = canRead(request.principal) ? flavor.store.livePage(id) : undefined;
  if (!page) return contentNotFound(id);
  const paging = readV1Paging(request.url, 200, 200);
  if ("error" in paging) return { status: 400, json: { statusCode: 400, message: paging.error } };
  return { status: 200, json: labelArrayJson(flavor, page, paging.start, paging.limit) };
}

/** Body: one LabelCreate or an array of them (§1.8). */
export function addLabels(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const id = request.params.id!;
  const page = canRead(request.principal) ? flavor.store.livePage(id) : undefined;
  if (!page) return contentNotFound(id);
  const body = parseJsonBody(request.body);
  const items = Array.isArray(body) ? body : [body];
  for (const item of items) {
    if (!isRecord(item) || typeof item.name !== "string" || item.name === "") {
      return v1Error(400, "Label name is required");
    }
    if (/[\s:;,.!?&()[\]#^*@]/.test(item.name) && !/^[\w-]+$/.test(item.name)) {
      return v1Error(400, `Label contains invalid characters: ${item.name}`);
    }
  }
  for (const item of items as Array<{ name: string }>) {
    const name = item.name.toLowerCase();
    if (!page.labels.includes(name)) page.labels.push(name);
    flavor.store.labelNamed(name);
  }
  return { status: 200, json: labelArrayJson(flavor, page, 0, 200) };
}

export function removeLabel(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const id = request.params.id!;
  const page = canRead(request.principal) ? flavor.store.livePage(id) : undefined;
  if (!page) return contentNotFound(id);
  const fromPath = request.params.label;
  // the path form cannot carry a '/' (spec-v1: 400); the ?name= form exists for exactly that case
  if (fromPath?.includes("/"))
    return v1Error(400, "Label names with '/' must be removed with DELETE ...label?name=");
  const name = fromPath ?? request.url.searchParams.get("name");
  if (name === null) return v1Error(400, "The name query parameter is required");
  if (!page.labels.includes(name)) return v1Error(404, `Label not found: ${name}`);
  page.labels = page.labels.filter((label) => label !== name);
  return { status: 204 };
}

export function listSpaces(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const params = request.url.searchParams;
  const keys = params.getAll("spaceKey").flatMap((value) => value.split(","));
  const type = params.get("type");
  const status = params.get("status");
  // "ordered alphabetically … by space key" (spec-v1-2023 getSpaces)
  const spaces = (canRead(request.principal) ? flavor.store.spaces : [])
    .filter((space) => keys.length === 0 || keys.includes(space.key))
    .filter((space) => type === null || space.type === type)
    .filter((space) => status === null || space.status === status)
    .sort((a, b) => a.key.localeCompare(b.key));
  return paged(flavor, request, "/rest/api/space", spaces, (space) => spaceJson(flavor, space), {
    defaultLimit: 25,
    cap: flavor.listCap,
    paging: "start",
  });
}

export function getSpace(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const space = canRead(request.principal) ? flavor.store.spaceByKey(request.params.spaceKey!) : undefined;
  if (!space) return v1Error(404, `No space with key : ${request.params.spaceKey}`, { authorized: false });
  return { status: 200, json: spaceJson(flavor, space, expansions(request.url)) };
}

/**
 * DC `GET /rest/api/space/{spaceKey}/content/{type}` (spec-dc): the space's pages, `depth=root` for the
 * top-level ones only (default all), paged with start/limit.
 */
export function spaceContent(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const key = request.params.spaceKey!;
  const space = canRead(request.principal) ? flavor.store.spaceByKey(key) : undefined;
  if (!space) return v1Error(404, `No space with key : ${key}`, { authorized: false });
  if (request.params.type !== "page") return v1Error(400, `Unsupported content type: ${request.params.type}`);
  const depth = request.url.searchParams.get("depth") ?? "all";
  if (depth !== "all" && depth !== "root") return v1Error(400, `Invalid depth: ${depth}`);
  const pages = flavor.store
    .pagesInSpace(space.id)
    .filter((page) => page.status === "current" && (depth === "all" || page.parentId === null))
    .sort((a, b) => a.position - b.position || Number(a.id) - Number(b.id));
  const expand = expansions(request.url);
  return paged(
    flavor,
    request,
    `/rest/api/space/${encodeURIComponent(key)}/content/page`,
    pages,
    (page) => contentJson(flavor, page, expand),
    { defaultLimit: 25, cap: flavor.listCap, paging: "start" },
  );
}

function headerValue(request: RouteRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** DC `DELETE /rest/api/content/{id}/child/attachment/{attachmentId}` (spec-dc): 204, the attachment is trashed. */
export function deleteAttachment(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const id = request.params.id!;
  const page = canRead(request.principal) ? flavor.store.livePage(id) : undefined;
  const attachment = flavor.store.attachment(request.params.attachmentId!);
  if (!page || !attachment || attachment.pageId !== page.id)
    return contentNotFound(request.params.attachmentId!);
  flavor.store.attachments = flavor.store.attachments.filter((candidate) => candidate !== attachment);
  return { status: 204 };
}

function commentContentJson(
  flavor: V1Flavor,
  comment: CommentRecord,
  expand: Set<string>,
): Record<string, unknown> {
  const page = flavor.store.page(comment.pageId);
  const json: Record<string, unknown> = {
    id: comment.id,
    type: "comment",
    status: comment.status,
    title: `Re: ${page?.title ?? ""}`,
    version: versionJson(flavor, comment.version),
    _links: {
      webui: `/pages/viewpage.action?pageId=${comment.pageId}&focusedCommentId=${comment.id}#comment-${comment.id}`,
      self: `${flavor.base}/rest/api/content/${comment.id}`,
    },
    _expandable: { container: `/rest/api/content/${comment.pageId}` },
  };
  if (expand.has("body.storage")) json.body = { storage: { value: comment.body, representation: "storage" } };
  return json;
}

/** DC `GET /rest/api/content/{id}/child/comment` (spec-dc): the page's comments, start/limit paging. */
export function childComments(flavor: V1Flavor, request: RouteRequest): RouteResult {
  return childList(
    flavor,
    request,
    "comment",
    (id) => flavor.store.commentsOf(id),
    (comment, expand) => commentContentJson(flavor, comment, expand),
  );
}

/**
 * DC `POST /rest/api/content` with `type: "comment"`: `container` names the page and `body.storage` the
 * comment (spec-dc ContentCreate). Other types go to createContent.
 */
export function createContentOrComment(flavor: V1Flavor, request: RouteRequest): RouteResult {
  const body = parseJsonBody(request.body);
  if (!isRecord(body) || body.type !== "comment") return createContent(flavor, request);
  if (!canRead(request.principal))
    return v1Error(403, "Not permitted to create content", { authorized: false });
  const containerId = isRecord(body.container) ? String(body.container.id ?? "") : "";
  const page = flavor.store.livePage(containerId);
  if (!page) return contentNotFound(containerId);
  const storage = isRecord(body.body) && isRecord(body.body.storage) ? body.body.storage.value : undefined;
  if (typeof storage !== "string" || storage.trim() === "") return v1Error(400, "Comment body is required");
  const store = flavor.store;
  const comment: CommentRecord = {
    id: store.newId(),
    pageId: page.id,
    body: storage,
    status: "current",
    createdAt: store.now(),
    authorId: flavor.author.accountId,
    version: {
      number: 1,
      createdAt: store.now(),
      message: "",
      minorEdit: false,
      authorId: flavor.author.accountId,
    },
  };
  store.comments.push(comment);
  return { status: 200, json: commentContentJson(flavor, comment, new Set(["body.storage"])) };
}
