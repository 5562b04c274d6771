/** `--body-file F|-` for page create/update: the file (or stdin) as storage, checked before anything is sent. */
import { readFile } from "node:fs/promises";
import type { Context } from "../../context.js";
import { UsageError } from "../../errors.js";

/** Reads the body and checks it is well-formed storage XML; any problem is a usage error (exit 2). */
export async function readStorageBody(source: string, ctx: Pick<Context, "io">): Promise<string> {
  const label = source === "-" ? "standard input" : source;
  let bytes: Buffer;
  try {
    bytes = source === "-" ? await readAll(ctx.io.stdin) : await readFile(source);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a directory"
            : (code ?? String(error));
    throw new UsageError(`cannot read the body file ${label}: ${why}`, { code: "usage.body_file" });
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`the body in ${label} is not UTF-8 text`, { code: "usage.body_file" });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Loaded here, so commands that never write a body do not pay for the checker at start-up.
  const { checkStorage } = await import("../../confluence/storage-xml.js");
  const problem = checkStorage(text);
  if (problem) {
    throw new UsageError(
      `the body in ${label} is not well-formed storage XML: line ${problem.line}, column ${problem.column}: ${problem.reason}`,
      {
        code: "usage.storage",
        hint: "storage format is XHTML: close every tag, quote attributes, write & as &amp; and < as &lt;",
      },
    );
  }
  return text;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
