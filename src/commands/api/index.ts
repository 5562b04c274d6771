/** The `api` command: flags → ApiOptions, then run() with a client from the auth session. */
import { type Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";

/** commander argParsers: bad numbers are usage errors (exit 2) with commander's own message. */
export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number");
  return n;
}

export function parseRetries(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number ≥ 0");
  return n;
}

// No default value: commander would print "(default: [])" in the help for it.
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerApi(program: Command, getContext: ContextFactory): void {
  program
    .command("api")
    .description("Make an authenticated request to the Confluence (or Jira) REST API")
    .argument(
      "<endpoint>",
      "path relative to the API root (rest/api/user/current, api/v2/spaces), or a same-origin URL",
    )
    .option("-X, --method <method>", "HTTP method (default GET, or POST when fields or --input are given)")
    .option("-H, --header <header>", "add a request header 'Name: value' (repeatable)", collect)
    .option("-f, --raw-field <key=value>", "add a string field (repeatable)", collect)
    .option(
      "-F, --field <key=value>",
      "add a typed field: numbers, true/false/null, @file or @- for stdin (repeatable)",
      collect,
    )
    .option("--input <file>", "send the file's contents (or - for stdin) as the request body")
    .option("--paginate", "follow next links (v1 and v2) and print all results as one JSON array")
    .option("-i, --include", "print the status line and response headers")
    .option("--silent", "do not print the response body")
    .addOption(
      new Option("--product <product>", "which product's API")
        .choices(["confluence", "jira"] as const)
        .default("confluence" as const),
    )
    .option("--rate-limit <req/s>", "at most this many requests per second", parsePositiveNumber)
    .option("--max-retries <n>", "retries for rate limits and transient errors (default 4)", parseRetries)
    .option("--timeout <seconds>", "per-attempt timeout in seconds (default 30)", parsePositiveNumber)
    .option("--ca-file <pem>", "trust this CA certificate file as well (also CONFL_CA_FILE)")
    .option("--insecure", "do not verify TLS certificates (dangerous)")
    .addHelpText(
      "after",
      `
Fields go into the query string for GET and HEAD, and into a JSON body otherwise.

Examples:
  $ confl api rest/api/user/current
  $ confl api api/v2/spaces --paginate
  $ confl api api/v2/pages -f spaceId=98305 -f title=Notes -F body[representation]=storage -f body[value]='<p>hi</p>'
  $ confl api --product jira rest/api/3/myself`,
    )
    .action(async (endpoint, opts, cmd) => {
      const ctx = getContext(cmd as unknown as Command);
      // Loaded on use so `confl --help` and other commands do not pay for the HTTP modules.
      const [{ resolveClient }, { run }] = await Promise.all([
        import("../../auth/session.js"),
        import("./request.js"),
      ]);
      await run(
        {
          endpoint,
          method: opts.method,
          headers: opts.header,
          rawFields: opts.rawField,
          fields: opts.field,
          input: opts.input,
          paginate: opts.paginate === true,
          include: opts.include === true,
          silent: opts.silent === true,
          product: opts.product,
          rateLimit: opts.rateLimit,
          maxRetries: opts.maxRetries,
          timeout: opts.timeout,
          caFile: opts.caFile,
          insecure: opts.insecure === true,
        },
        ctx,
        { client: (product, overrides) => resolveClient(ctx, { ...overrides, product }) },
      );
    });
}
