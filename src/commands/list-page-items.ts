/** The run shared by the commands that list one page's items (attachments, comments, children, properties). */

import type { ConfluenceClient } from "../confluence/client.js";
import type { PageRef } from "../confluence/page-ref.js";
import type { Context } from "../context.js";
import type { Column } from "../output/table.js";

/** Resolves the page, fetches its items and prints them (printList); returns the items. */
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
