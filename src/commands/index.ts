/**
 * The nouns. Each noun lives in src/commands/<noun>/ with one file per verb; each verb file exports a
 * plain `run(options, ctx)` and a small function that declares its flags.
 *
 * Only the noun being run is built (issue 14): every other noun is a stub with its name, description and
 * arguments, which is all the root's --help, "did you mean" and `confl help` need. A run loads just its
 * noun's modules (loadNouns), completion loads them all (./all.ts). test/unit/lazy-nouns.test.ts checks
 * that a stub says exactly what its noun says.
 */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../context.js";

export type RegisterNoun = (program: Command, getContext: ContextFactory) => void;

interface NounEntry {
  name: string;
  description: string;
  /** the noun's own arguments (a command without verbs), as written in its usage */
  args?: readonly string[];
  load: () => Promise<RegisterNoun>;
}

/** In the order of the root's --help. */
export const NOUNS: readonly NounEntry[] = [
  {
    name: "auth",
    description: "Log in, check and manage credentials",
    load: async () => (await import("./auth/index.js")).registerAuth,
  },
  {
    name: "api",
    description: "Make an authenticated request to the Confluence (or Jira) REST API",
    args: ["<endpoint>"],
    load: async () => (await import("./api/index.js")).registerApi,
  },
  {
    name: "space",
    description: "List and view spaces",
    load: async () => (await import("./space/index.js")).registerSpace,
  },
  {
    name: "page",
    description: "View, list, create, change, move, copy and delete pages",
    load: async () => (await import("./page/index.js")).registerPage,
  },
  {
    name: "search",
    description: "Search content with CQL, or for words with --text",
    args: ["[cql]"],
    load: async () => (await import("./search/index.js")).registerSearch,
  },
  {
    name: "attachment",
    description: "List, upload, download and delete a page's attachments",
    load: async () => (await import("./attachment/index.js")).registerAttachment,
  },
  {
    name: "comment",
    description: "List and add page comments",
    load: async () => (await import("./comment/index.js")).registerComment,
  },
  {
    name: "label",
    description: "List, add and remove page labels",
    load: async () => (await import("./label/index.js")).registerLabel,
  },
  {
    name: "open",
    description: "Open Confluence, a space or a page in the browser",
    args: ["[page-or-space]"],
    load: async () => (await import("./open/index.js")).registerOpen,
  },
  {
    name: "backup",
    description: "Organisation backups with Atlassian Backup and Restore (Cloud Premium/Enterprise)",
    load: async () => (await import("./backup/index.js")).registerBackup,
  },
  {
    name: "completion",
    description: "Print the shell completion script (commands, flags, flag values, profile names)",
    args: ["<shell>"],
    load: async () => (await import("./completion/index.js")).registerCompletion,
  },
  {
    name: "property",
    description: "Read and write a page's content properties (JSON values stored under a key)",
    load: async () => (await import("./property/index.js")).registerProperty,
  },
  {
    name: "convert",
    description: "Convert between Confluence storage format and Markdown, offline (stdin to stdout)",
    args: ["[file]"],
    load: async () => (await import("./convert/index.js")).registerConvert,
  },
  {
    name: "export",
    description: "Export a page tree or a whole space as Markdown files with their attachments",
    args: ["[page]"],
    load: async () => (await import("./export/index.js")).registerExport,
  },
  {
    name: "publish",
    description:
      "Publish a folder of Markdown files (or one file) as a page tree, changing only what changed",
    args: ["<source>"],
    load: async () => (await import("./publish/index.js")).registerPublish,
  },
  {
    name: "help",
    description: "Show a help topic (auth, environment, exit-codes, formats) or a command's help",
    args: ["[topic...]"],
    load: async () => (await import("./help/index.js")).registerHelp,
  },
];

/** The nouns that are built for real; every other one is a stub. */
export type NounRegistry = ReadonlyMap<string, RegisterNoun>;

/** Root flags that take a value (`--profile dc page view 1`: "dc" is not a noun). */
const ROOT_VALUE_FLAGS = new Set(["--profile", "--jq"]);

/**
 * The nouns a command line needs built: the first operand (after the root's flags), and for
 * `confl help <noun> …` that noun too. Anything else, or an unknown word, needs none: stubs answer it.
 */
export function nounsFor(argv: readonly string[]): string[] {
  const operands: string[] = [];
  for (let i = 0; i < argv.length && operands.length < 2; i++) {
    const arg = argv[i]!;
    if (arg === "--") break;
    if (ROOT_VALUE_FLAGS.has(arg)) {
      i++;
      continue;
    }
    if (arg.startsWith("-")) continue;
    operands.push(arg);
    if (arg !== "help") break;
  }
  return operands.filter((name) => NOUNS.some((n) => n.name === name));
}

export async function loadNouns(names: readonly string[]): Promise<NounRegistry> {
  const wanted = NOUNS.filter((n) => names.includes(n.name));
  const loaded = await Promise.all(wanted.map(async (n) => [n.name, await n.load()] as const));
  return new Map(loaded);
}

export function registerCommands(program: Command, getContext: ContextFactory, nouns: NounRegistry): void {
  // replaces commander's implicit `help [command]` (the `help` noun keeps what it did)
  program.helpCommand(false);
  for (const noun of NOUNS) {
    const register = nouns.get(noun.name);
    if (register) {
      register(program, getContext);
      continue;
    }
    const stub = program.command(noun.name).description(noun.description);
    for (const arg of noun.args ?? []) stub.argument(arg);
    stub.action(() => {
      // nounsFor() builds the noun a command line names, so a stub never runs
      throw new Error(`internal error: the ${noun.name} command was not loaded`);
    });
  }
}
