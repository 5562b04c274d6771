/**
 * Confluence Data Center's REST v1 under the context path (confluence-api.md §5): richer than Cloud v1
 * (content CRUD, child/page, label GET, space), no /wiki, no v2. Attachment PUT is 405 on DC (§1.7).
 */
import { compileRoutes, type RouteDefinition, type RouteResult } from "./router.js";
import * as v1 from "./v1.js";

export interface DcExtra {
  flavor: v1.V1Flavor;
  dcBase: string;
}

export interface DcRoute extends RouteDefinition<DcExtra> {}

const methodNotAllowed: RouteResult = {
  status: 405,
  json: { statusCode: 405, message: "HTTP 405 Method Not Allowed", reason: "Method Not Allowed" },
};

export const dcRoutes: DcRoute[] = [
  { method: "GET", template: "/rest/api/content", handle: (r) => v1.listContent(r.flavor, r) },
  { method: "POST", template: "/rest/api/content", handle: (r) => v1.createContentOrComment(r.flavor, r) },
  { method: "GET", template: "/rest/api/content/search", handle: (r) => v1.contentSearch(r.flavor, r) },
  { method: "GET", template: "/rest/api/content/{id}", handle: (r) => v1.getContent(r.flavor, r) },
  { method: "PUT", template: "/rest/api/content/{id}", handle: (r) => v1.updateContent(r.flavor, r) },
  { method: "DELETE", template: "/rest/api/content/{id}", handle: (r) => v1.deleteContent(r.flavor, r) },
  { method: "GET", template: "/rest/api/content/{id}/child/page", handle: (r) => v1.childPages(r.flavor, r) },
  {
    method: "GET",
    template: "/rest/api/content/{id}/child/attachment",
    handle: (r) => v1.listAttachments(r.flavor, r),
  },
  {
    method: "POST",
    template: "/rest/api/content/{id}/child/attachment",
    handle: (r) => v1.uploadAttachments(r.flavor, r, "create"),
  },
  // DC has no create-or-update PUT on the collection (mcp-atlassian #1253/#1440, §1.7)
  { method: "PUT", template: "/rest/api/content/{id}/child/attachment", handle: () => methodNotAllowed },
  {
    method: "POST",
    template: "/rest/api/content/{id}/child/attachment/{attachmentId}/data",
    handle: (r) => v1.updateAttachmentData(r.flavor, r),
  },
  {
    method: "DELETE",
    template: "/rest/api/content/{id}/child/attachment/{attachmentId}",
    handle: (r) => v1.deleteAttachment(r.flavor, r),
  },
  {
    method: "GET",
    template: "/rest/api/content/{id}/child/comment",
    handle: (r) => v1.childComments(r.flavor, r),
  },
  {
    method: "GET",
    template: "/rest/api/content/{id}/property",
    handle: (r) => v1.listProperties(r.flavor, r),
  },
  {
    method: "POST",
    template: "/rest/api/content/{id}/property",
    handle: (r) => v1.createProperty(r.flavor, r),
  },
  {
    method: "GET",
    template: "/rest/api/content/{id}/property/{key}",
    handle: (r) => v1.getProperty(r.flavor, r),
  },
  {
    method: "PUT",
    template: "/rest/api/content/{id}/property/{key}",
    handle: (r) => v1.updateProperty(r.flavor, r),
  },
  {
    method: "DELETE",
    template: "/rest/api/content/{id}/property/{key}",
    handle: (r) => v1.deleteProperty(r.flavor, r),
  },
  { method: "GET", template: "/rest/api/content/{id}/label", handle: (r) => v1.listLabels(r.flavor, r) },
  { method: "POST", template: "/rest/api/content/{id}/label", handle: (r) => v1.addLabels(r.flavor, r) },
  { method: "DELETE", template: "/rest/api/content/{id}/label", handle: (r) => v1.removeLabel(r.flavor, r) },
  {
    method: "DELETE",
    template: "/rest/api/content/{id}/label/{label}",
    handle: (r) => v1.removeLabel(r.flavor, r),
  },
  { method: "GET", template: "/rest/api/space", handle: (r) => v1.listSpaces(r.flavor, r) },
  { method: "GET", template: "/rest/api/space/{spaceKey}", handle: (r) => v1.getSpace(r.flavor, r) },
  {
    method: "GET",
    template: "/rest/api/space/{spaceKey}/content/{type}",
    handle: (r) => v1.spaceContent(r.flavor, r),
  },
  { method: "GET", template: "/rest/api/search", handle: (r) => v1.search(r.flavor, r) },
  { method: "GET", template: "/rest/api/user/current", handle: (r) => v1.currentUser(r.flavor, r) },
  {
    method: "GET",
    template: "/rest/api/user/anonymous",
    handle: (r) => ({ status: 200, json: r.flavor.anonymousJson() }),
  },
  {
    method: "GET",
    template: "/rest/api/server-information",
    handle(r) {
      if (r.principal.kind !== "user") {
        return v1.v1Error(401, "This resource requires authentication", { authorized: false });
      }
      return {
        status: 200,
        json: {
          baseUrl: r.dcBase,
          version: "10.0.3",
          buildNumber: 10003,
          marketplaceBuildNumber: 10003,
          buildDate: "2025-08-01T00:00:00.000Z",
        },
      };
    },
  },
];

export const compiledDcRoutes = compileRoutes(dcRoutes);
