/**
 * confl's own shapes for Confluence objects. The resource modules turn v2 (Cloud) and v1 (Data Center)
 * answers into these, so commands and `--json` output see one set of field names whatever the
 * deployment. Fields a deployment does not report are null, never missing: the README documents them.
 */

/** Where the API lives; the resource layer picks v2 or v1 from it (confluence-api.md §0.1, §1.13, §5). */
export type Deployment = "cloud-site" | "cloud-gateway" | "dc";

export interface Space {
  id: string;
  key: string;
  name: string;
  /** global | personal (Cloud v2 also knows collaboration, knowledge_base, …) */
  type: string;
  /** current | archived */
  status: string;
  homepageId: string | null;
  /** plain-text description; null when the list call did not ask for it */
  description: string | null;
  /** browsable URL, null when the deployment gave no base to build it from */
  webUrl: string | null;
}

export interface Version {
  number: number;
  createdAt: string | null;
  /** Cloud: the author's accountId; DC: the userKey (or username) */
  authorId: string | null;
  message: string | null;
  minorEdit: boolean;
}

export interface Page {
  id: string;
  title: string;
  /** current | archived | draft | trashed | historical */
  status: string;
  spaceId: string | null;
  spaceKey: string | null;
  parentId: string | null;
  version: Version | null;
  webUrl: string | null;
}

export interface PageWithBody extends Page {
  /** storage format (XHTML with ac:/ri: elements), exactly as Confluence stored it */
  body: { storage: string };
}

/** A direct child in `page children` order (childPosition). */
export interface ChildPage {
  id: string;
  title: string;
  status: string;
  /** page, folder, whiteboard, database, embed (v2); always page on v1 */
  type: string;
  spaceId: string | null;
  parentId: string;
  position: number | null;
  webUrl: string | null;
}

export interface TreeNode {
  id: string;
  title: string;
  status: string;
  type: string;
  parentId: string | null;
  /** 0 for the root(s) the tree was asked for */
  depth: number;
  children: TreeNode[];
}

/** One CQL search hit (v1 `search`, Cloud and DC alike). */
export interface SearchResult {
  id: string;
  /** page, blogpost, comment, attachment, … */
  type: string;
  title: string;
  spaceKey: string | null;
  /** plain-text excerpt with the search highlighting removed; "" when none */
  excerpt: string;
  lastModified: string | null;
  webUrl: string | null;
}

export interface Attachment {
  /** `att`-prefixed on Cloud and DC (`att131073`) */
  id: string;
  title: string;
  pageId: string;
  mediaType: string | null;
  fileSize: number | null;
  comment: string | null;
  version: Version | null;
  webUrl: string | null;
  /** the servlet path (`/download/attachments/…`), kept for DC where it is the way to the bytes */
  downloadPath: string | null;
}

export interface Comment {
  id: string;
  pageId: string;
  /** storage format */
  body: string;
  version: Version | null;
  webUrl: string | null;
}

export interface Label {
  id: string;
  name: string;
  /** global | my | team */
  prefix: string;
}
