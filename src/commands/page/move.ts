/** `confl page move <page> --parent <page>`: a new parent in the same space. */
import type { Command } from "@commander-js/extra-typings";
import type { PageWithBody } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import { refuseIfReadOnly, writableClient } from "../write-guard.js";
import { printWritten } from "./create.js";

export interface MoveOptions {
  page: string;
  parent: string;
}

export async function run(options: MoveOptions, ctx: Context): Promise<PageWithBody> {
  refuseIfReadOnly(ctx, "page move");
  const [{ parsePageRef, resolvePageRef }, { pageSummary, safeUpdate }, { printJson }] = await Promise.all([
    import("../../confluence/page-ref.js"),
    import("../../confluence/page-write.js"),
    import("../../output/json.js"),
  ]);
  const pageRef = parsePageRef(options.page);
  const parentRef = parsePageRef(options.parent);
  const client = await writableClient(ctx, "page move");
  const id = await resolvePageRef(client, pageRef);
  const parentId = await resolvePageRef(client, parentRef);
  const [page, parent] = await Promise.all([pageSummary(client, id), pageSummary(client, parentId)]);
  if (parent.id === page.id || parent.ancestors.includes(page.id)) {
    throw new UsageError(
      parent.id === page.id
        ? `page ${page.id} cannot be moved under itself`
        : `page ${parent.id} "${parent.title}" is below page ${page.id}: a page cannot move under its own descendant`,
      { code: "usage.move_cycle" },
    );
  }
  if (page.spaceId !== parent.spaceId) {
    throw new UsageError(
      `page ${page.id} is in space ${page.spaceKey ?? page.spaceId}, the new parent in ${parent.spaceKey ?? parent.spaceId}: confl moves pages within a space`,
      {
        hint: `Confluence's v2 API cannot move a page to another space; copy it there instead: confl page copy ${page.id} --parent ${parent.id} --recursive`,
      },
    );
  }
  // The move is an update with a new parent: it keeps whatever is current (a writer in between is
  // re-read, not overwritten with stale content).
  const { page: moved } = await safeUpdate(client, { id: page.id, parentId: parent.id, force: true });
  if (ctx.globals.json) printJson(ctx.io, moved);
  else await printWritten(ctx, moved, "Moved");
  return moved;
}

export function register(page: Command, getContext: ContextFactory): void {
  page
    .command("move")
    .description("Move a page under another page in the same space")
    .argument("<page>", "the page to move: id, page URL, or SPACEKEY:Title")
    .requiredOption("-p, --parent <page>", "the new parent page")
    .addHelpText(
      "after",
      `
The page keeps its children, title and body; Confluence records the move as a new version.

Examples:
  $ confl page move 65545 --parent 65551
  $ confl page move "DOC:FAQ" --parent "DOC:Guides" --json`,
    )
    .action(async (ref, opts, cmd) => {
      await run({ page: ref, parent: opts.parent }, getContext(cmd as unknown as Command));
    });
}
