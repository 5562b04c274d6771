/**
 * Page trees. Cloud: v2 `GET /pages/{id}/descendants` returns a whole subtree (with parentId and depth)
 * in a few cursor pages, but at most 10 levels per call (spec-v2 getPageDescendants: depth max 10), so
 * nodes on the 10th level are expanded with further calls. Data Center has no depth-bounded descendant
 * list with parents, so it walks v1 `child/page` level by level. Either way at most
 * `client.concurrency` requests are in flight.
 */
import {
  type ConfluenceClient,
  collect,
  idString,
  isObject,
  listItems,
  mapConcurrent,
  orNotFound,
  stringOrNull,
} from "./client.js";
import { listChildren } from "./pages.js";
import { spaceIdForKey } from "./spaces.js";
import type { TreeNode } from "./types.js";

/** spec-v2 getPageDescendants: `depth` 1–10 */
const V2_MAX_DEPTH = 10;

export interface TreeOptions {
  /** levels below the root(s); undefined = the whole tree */
  depth?: number | undefined;
}

interface FlatNode {
  id: string;
  title: string;
  status: string;
  type: string;
  parentId: string | null;
  position: number;
}

function node(flat: FlatNode, depth: number): TreeNode {
  return {
    id: flat.id,
    title: flat.title,
    status: flat.status,
    type: flat.type,
    parentId: flat.parentId,
    depth,
    children: [],
  };
}

/** Links flat nodes under `roots`, in child order, down to `maxDepth`; a cycle cannot loop. */
function build(roots: FlatNode[], byParent: Map<string, FlatNode[]>, maxDepth: number): TreeNode[] {
  const seen = new Set<string>();
  const attach = (flat: FlatNode, depth: number): TreeNode => {
    seen.add(flat.id);
    const tree = node(flat, depth);
    if (depth < maxDepth) {
      const children = [...(byParent.get(flat.id) ?? [])].sort((a, b) => a.position - b.position);
      for (const child of children) if (!seen.has(child.id)) tree.children.push(attach(child, depth + 1));
    }
    return tree;
  };
  return roots.map((root) => attach(root, 0));
}

function addChild(byParent: Map<string, FlatNode[]>, flat: FlatNode): void {
  if (flat.parentId === null) return;
  const list = byParent.get(flat.parentId) ?? [];
  list.push(flat);
  byParent.set(flat.parentId, list);
}

async function rootSummary(client: ConfluenceClient, id: string): Promise<FlatNode> {
  const v2 = client.contentApi === "v2";
  const response = await orNotFound(`page ${id}`, () =>
    client.http.request<unknown>({
      path: v2 ? `api/v2/pages/${encodeURIComponent(id)}` : `rest/api/content/${encodeURIComponent(id)}`,
      query: v2 ? {} : { expand: "ancestors" },
    }),
  );
  return v2 ? fromV2(response.data) : fromV1(response.data, null, 0);
}

function fromV2(raw: unknown): FlatNode {
  const n = isObject(raw) ? raw : {};
  return {
    id: idString(n.id) ?? "",
    title: stringOrNull(n.title) ?? "",
    status: stringOrNull(n.status) ?? "",
    type: stringOrNull(n.type) ?? "page",
    parentId: idString(n.parentId),
    position:
      typeof n.childPosition === "number" ? n.childPosition : typeof n.position === "number" ? n.position : 0,
  };
}

function fromV1(raw: unknown, parentId: string | null, position: number): FlatNode {
  const n = isObject(raw) ? raw : {};
  const ancestors = Array.isArray(n.ancestors) ? n.ancestors : [];
  const last = ancestors[ancestors.length - 1];
  return {
    id: idString(n.id) ?? "",
    title: stringOrNull(n.title) ?? "",
    status: stringOrNull(n.status) ?? "",
    type: "page",
    parentId: parentId ?? (isObject(last) ? idString(last.id) : null),
    position,
  };
}

/** v2: every descendant of `id` down to `levels` below it, into `byParent`. */
async function v2Descendants(
  client: ConfluenceClient,
  id: string,
  levels: number,
  byParent: Map<string, FlatNode[]>,
): Promise<void> {
  if (levels <= 0) return;
  const depth = Math.min(levels, V2_MAX_DEPTH);
  const deepest: string[] = [];
  for await (const raw of listItems<unknown>(client, {
    path: `api/v2/pages/${encodeURIComponent(id)}/descendants`,
    query: { depth },
  })) {
    const flat = fromV2(raw);
    addChild(byParent, flat);
    if (isObject(raw) && raw.depth === depth) deepest.push(flat.id);
  }
  if (levels > depth && deepest.length > 0) {
    await mapConcurrent(deepest, client.concurrency, (child) =>
      v2Descendants(client, child, levels - depth, byParent),
    );
  }
}

/** v1: children level by level (one request per page with a possible child). */
async function v1Descendants(
  client: ConfluenceClient,
  roots: FlatNode[],
  levels: number,
  byParent: Map<string, FlatNode[]>,
): Promise<void> {
  let frontier = roots;
  const seen = new Set(roots.map((r) => r.id));
  for (let level = 0; level < levels && frontier.length > 0; level++) {
    const lists = await mapConcurrent(frontier, client.concurrency, (parent) =>
      collect(listChildren(client, parent.id)),
    );
    const next: FlatNode[] = [];
    lists.forEach((children, index) => {
      const parentId = frontier[index]!.id;
      for (const child of children) {
        if (seen.has(child.id)) continue;
        seen.add(child.id);
        const flat: FlatNode = {
          id: child.id,
          title: child.title,
          status: child.status,
          type: child.type,
          parentId,
          position: child.position ?? 0,
        };
        addChild(byParent, flat);
        next.push(flat);
      }
    });
    frontier = next;
  }
}

async function grow(client: ConfluenceClient, roots: FlatNode[], options: TreeOptions): Promise<TreeNode[]> {
  const levels = options.depth ?? Number.POSITIVE_INFINITY;
  const byParent = new Map<string, FlatNode[]>();
  if (client.contentApi === "v2") {
    await mapConcurrent(roots, client.concurrency, (root) =>
      v2Descendants(client, root.id, levels, byParent),
    );
  } else {
    await v1Descendants(client, roots, levels, byParent);
  }
  return build(roots, byParent, levels);
}

/** The tree under one page (the page itself at depth 0). */
export async function pageTree(
  client: ConfluenceClient,
  id: string,
  options: TreeOptions = {},
): Promise<TreeNode> {
  const root = await rootSummary(client, id);
  const [tree] = await grow(client, [root], options);
  return tree!;
}

/** Every top-level page of a space with its tree (the roots at depth 0). */
export async function spaceTree(
  client: ConfluenceClient,
  spaceKey: string,
  options: TreeOptions = {},
): Promise<TreeNode[]> {
  let roots: FlatNode[];
  if (client.contentApi === "v2") {
    const spaceId = await spaceIdForKey(client, spaceKey);
    // depth=root: the pages at the top of the space (spec-v2 getPagesInSpace)
    const raw = await collect(
      listItems<unknown>(client, {
        path: `api/v2/spaces/${encodeURIComponent(spaceId)}/pages`,
        query: { depth: "root", status: "current" },
      }),
    );
    roots = raw.map(fromV2);
  } else {
    // spec-dc: GET /rest/api/space/{spaceKey}/content/{type}?depth=root
    const raw = await orNotFound(`space ${spaceKey}`, () =>
      collect(
        listItems<unknown>(client, {
          path: `rest/api/space/${encodeURIComponent(spaceKey)}/content/page`,
          query: { depth: "root" },
          maxPageSize: 100,
        }),
      ),
    );
    roots = raw.map((r, i) => fromV1(r, null, i));
  }
  return grow(client, roots, options);
}
