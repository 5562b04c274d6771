/**
 * `confl search '<CQL>'` or `confl search --text "words" [--space KEY] [--type page|blogpost] [--label L]`.
 * The flags build CQL in which every user value is one literal (src/confluence/cql.ts); a raw CQL query is
 * sent as written.
 */
import { type Command, Option } from "@commander-js/extra-typings";
import type { ContentType } from "../../confluence/cql.js";
import type { SearchResult } from "../../confluence/types.js";
import type { Context, ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";
import type { Column } from "../../output/table.js";
import { listLimit, withListFlags } from "../list-flags.js";
import { listAll } from "../list-run.js";

export interface SearchOptions {
  cql?: string | undefined;
  text?: string | undefined;
  space?: string | undefined;
  type?: ContentType | undefined;
  label?: string | undefined;
  limit: number | undefined;
}

const columns: Column<SearchResult>[] = [
  { header: "ID", value: (r) => r.id, style: (t, c) => c.dim(t) },
  { header: "Type", value: (r) => r.type },
  { header: "Title", value: (r) => r.title, flex: true, style: (t, c) => c.bold(t) },
  { header: "Space", value: (r) => r.spaceKey ?? "" },
  { header: "Updated", value: (r) => r.lastModified?.slice(0, 10) ?? "" },
];

/** The CQL a search sends: the query as given, or the one the flags build. */
export async function searchCql(options: Omit<SearchOptions, "limit">): Promise<string> {
  const flags = [options.text, options.space, options.type, options.label].some((v) => v !== undefined);
  if (options.cql !== undefined) {
    if (flags)
      throw new UsageError("give either a CQL query or --text/--space/--type/--label, not both", {
        hint: "write the whole query in CQL, e.g. confl search 'text ~ \"release\" AND space = DOC'",
      });
    if (options.cql.trim() === "") throw new UsageError("the CQL query is empty");
    return options.cql;
  }
  const { buildCql } = await import("../../confluence/cql.js");
  return buildCql(options);
}

export async function run(options: SearchOptions, ctx: Context): Promise<SearchResult[]> {
  const { search } = await import("../../confluence/search.js");
  const cql = await searchCql(options);
  ctx.debug(`search: cql=${cql}`);
  return listAll(ctx, (client) => search(client, { cql, limit: options.limit }), columns, "No results.");
}

export function registerSearch(program: Command, getContext: ContextFactory): void {
  withListFlags(
    program
      .command("search")
      .description("Search content with CQL, or for words with --text")
      .argument("[cql]", "a CQL query, sent as written")
      .option(
        "-t, --text <words>",
        "content containing all these words (quotes and operators are taken literally)",
      )
      .option("-s, --space <key>", "only in this space")
      .addOption(
        new Option("--type <type>", "only pages or only blog posts").choices(["page", "blogpost"] as const),
      )
      .option("-l, --label <label>", "only content with this label"),
  )
    .addHelpText(
      "after",
      `
Without a CQL query, the flags are combined with AND, each value as one literal: --text "a OR b"
finds content containing the three words a, or, b, never "a" or "b". Piped, each line is ID, TYPE,
TITLE, SPACE and UPDATED separated by tabs.

Examples:
  $ confl search --text "release checklist"
  $ confl search --text rollback --space DOC --type page --json
  $ confl search --label release --all
  $ confl search 'type = page AND space = DOC AND title ~ "release"' --limit 5`,
    )
    .action(async (cql, opts, cmd) => {
      await run(
        {
          cql,
          text: opts.text,
          space: opts.space,
          type: opts.type,
          label: opts.label,
          limit: listLimit(opts),
        },
        getContext(cmd as unknown as Command),
      );
    });
}
