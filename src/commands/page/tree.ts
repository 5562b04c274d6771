/** `confl page tree <page> | --space KEY [--depth N]`: the page hierarchy, whole by default. */
import type { Command } from "@commander-js/extra-typings";
import type { TreeNode } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { IOStreams } from "../../io/streams.js";
import { parseWholeNumber } from "../list-flags.js";

export interface TreeOptions {
  page?: string | undefined;
  space?: string | undefined;
  /** levels below the root(s); undefined = all */
  depth?: number | undefined;
}

export async function run(options: TreeOptions, ctx: Context): Promise<TreeNode | TreeNode[]> {
  const [{ parsePageRef, resolvePageRef }, { pageTree, spaceTree }, { printJson }] = await Promise.all([
    import("../../confluence/page-ref.js"),
    import("../../confluence/tree.js"),
    import("../../output/json.js"),
  ]);
  if ((options.page === undefined) === (options.space === undefined)) {
    throw new UsageError("give either a page or --space KEY", {
      hint: "give a page (an id, a URL or SPACE:Title) or --space with a space key, not both; examples: 'confl page tree --help'",
    });
  }
  const ref = options.page === undefined ? undefined : parsePageRef(options.page);
  const client = await ctx.client();
  const result = ref
    ? await pageTree(client, await resolvePageRef(client, ref), { depth: options.depth })
    : await spaceTree(client, options.space!, { depth: options.depth });
  if (ctx.globals.json) printJson(ctx.io, result);
  else await printTree(ctx.io, Array.isArray(result) ? result : [result]);
  return result;
}

/** Terminal: a drawn tree, cut to the width. Piped: DEPTH, ID, PARENT, TITLE per line, tab-separated. */
export async function printTree(io: IOStreams, roots: TreeNode[]): Promise<void> {
  const { truncate } = await import("../../output/table.js");
  const width = io.stdout.columns && io.stdout.columns > 0 ? io.stdout.columns : 80;
  const walk = (node: TreeNode, prefix: string, connector: string) => {
    if (io.stdoutIsTTY) {
      const id = ` ${node.id}`;
      const title = truncate(node.title, Math.max(8, width - prefix.length - connector.length - id.length));
      io.out(`${prefix}${connector}${io.colors.bold(title)}${io.colors.dim(id)}`);
    } else {
      io.out([node.depth, node.id, node.parentId ?? "", node.title.replace(/[\t\r\n]+/g, " ")].join("\t"));
    }
    const childPrefix = node.depth === 0 ? "" : prefix + (connector === "└── " ? "    " : "│   ");
    node.children.forEach((child, i) => {
      walk(child, childPrefix, i === node.children.length - 1 ? "└── " : "├── ");
    });
  };
  for (const root of roots) walk(root, "", "");
}

export function register(page: Command, getContext: ContextFactory): void {
  page
    .command("tree")
    .description("Show the page hierarchy under a page, or of a whole space")
    .argument("[page]", "page id, page URL, or SPACEKEY:Title")
    .option("-s, --space <key>", "the tree of every top-level page in this space")
    .option("-d, --depth <n>", "levels below the root(s) to show (default: all)", parseWholeNumber)
    .addHelpText(
      "after",
      `
Piped, each line is DEPTH, ID, PARENT-ID and TITLE separated by tabs, parents before children.

Examples:
  $ confl page tree 65536
  $ confl page tree --space DOC --depth 1
  $ confl page tree "DOC:Guides" --json`,
    )
    .action(async (ref, opts, cmd) => {
      await run({ page: ref, space: opts.space, depth: opts.depth }, getContext(cmd as unknown as Command));
    });
}
