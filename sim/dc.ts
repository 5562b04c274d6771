/**
 * Confluence Data Center's REST v1 under the context path (confluence-api.md §5): richer than Cloud v1
 * (content CRUD, child/page, label GET, space), no /wiki, no v2. Attachment PUT is 405 on DC (§1.7).
 */
import { compileRoutes, type RouteDefinition, type RouteRequest, type RouteResult } from "./router.js";
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

/** A route served by the v1 handler shared with Cloud (v1.ts), with the Data Center flavour. */
function v1Route(
  method: string,
  template: string,
  handler: (flavor: v1.V1Flavor, request: RouteRequest) => RouteResult,
): DcRoute {
  return { method, template, handle: (r) => handler(r.flavor, r) };
}

export const dcRoutes: DcRoute[] = [
  v1Route("GET", "/rest/api/content", v1.listContent),
  v1Route("POST", "/rest/api/content", v1.createContentOrComment),
  v1Route("GET", "/rest/api/content/search", v1.contentSearch),
  v1Route("GET", "/rest/api/content/{id}", v1.getContent),
  v1Route("PUT", "/rest/api/content/{id}", v1.updateContent),
  v1Route("DELETE", "/rest/api/content/{id}", v1.deleteContent),
  v1Route("GET", "/rest/api/content/{id}/child/page", v1.childPages),
  v1Route("GET", "/rest/api/content/{id}/child/attachment", v1.listAttachments),
  v1Route("POST", "/rest/api/content/{id}/child/attachment", (flavor, request) =>
    v1.uploadAttachments(flavor, request, "create"),
  ),
  // DC has no create-or-update PUT on the collection (mcp-atlassian #1253/#1440, §1.7)
  { method: "PUT", template: "/rest/api/content/{id}/child/attachment", handle: () => methodNotAllowed },
  v1Route("POST", "/rest/api/content/{id}/child/attachment/{attachmentId}/data", v1.updateAttachmentData),
  v1Route("DELETE", "/rest/api/content/{id}/child/attachment/{attachmentId}", v1.deleteAttachment),
  v1Route("GET", "/rest/api/content/{id}/child/comment", v1.childComments),
  v1Route("GET", "/rest/api/content/{id}/property", v1.listProperties),
  v1Route("POST", "/rest/api/content/{id}/property", v1.createProperty),
  v1Route("GET", "/rest/api/content/{id}/property/{key}", v1.getProperty),
  v1Route("PUT", "/rest/api/content/{id}/property/{key}", v1.updateProperty),
  v1Route("DELETE", "/rest/api/content/{id}/property/{key}", v1.deleteProperty),
  v1Route("GET", "/rest/api/content/{id}/label", v1.listLabels),
  v1Route("POST", "/rest/api/content/{id}/label", v1.addLabels),
  v1Route("DELETE", "/rest/api/content/{id}/label", v1.removeLabel),
  v1Route("DELETE", "/rest/api/content/{id}/label/{label}", v1.removeLabel),
  v1Route("GET", "/rest/api/space", v1.listSpaces),
  v1Route("GET", "/rest/api/space/{spaceKey}", v1.getSpace),
  v1Route("GET", "/rest/api/space/{spaceKey}/content/{type}", v1.spaceContent),
  v1Route("GET", "/rest/api/search", v1.search),
  v1Route("GET", "/rest/api/user/current", v1.currentUser),
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
