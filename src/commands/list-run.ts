/**
 * The runs the list commands share: fetch, then print with printList (--json the array, else the table, or
 * on a terminal with nothing to show one line saying so).
 */

import type { ConfluenceClient } from "../confluence/client.js";
import type { PageRef } from "../confluence/page-ref.js";
import type { Context } from "../context.js";
import type { Column } from "../output/table.js";

/** Collects every item `fetch` yields (as many as its limit asks for) and prints them; returns the items. */
export async function listAll<T>(
  ctx: Context,
  fetch: (client: ConfluenceClient) => AsyncIterable<T>,
  columns: Column<T>[],
  emptyMessage: string,
): Promise<T[]> {
  const [{ collect }, { printList }] = await Promise.all([
    import("../confluence/client.js"),
    import("../output/list.js"),
  ]);
  const client = await ctx.client();
  const items = await collect(fetch(client));
  printList(ctx, columns, items, emptyMessage);
  return items;
}

/** For one page's items (attachments, comments, children, properties): resolves the page, fetches its items and prints them (printList); returns the items. */
export async function listPageItems<T>(
  ctx: Context,
  page: PageRef | string,
  fetch: (client: ConfluenceClient, pageId: string) => Promise<T[]>,
  columns: Column<T>[],
  emptyMessage: (pageId: string) => string,
): Promise<T[]> {
  const [{ resolvePageRef }, { printList }] = await Promise.all([
    import("../confluence/page-ref.js"),
    import("../output/list.js"),
  ]);
  const client = await ctx.client();
  const pageId = await resolvePageRef(client, page);
  const items = await fetch(client, pageId);
  printList(ctx, columns, items, emptyMessage(pageId));
  return items;
}
