/**
 * `--jq <expression>`: the command's JSON output filtered through real jq (jq 1.8 compiled to WebAssembly,
 * the jq-wasm package), so every jq feature and error message is jq's own, not a look-alike's. Loaded only
 * when --jq is given: compiling the WebAssembly module costs about 25 ms (measured on this project's
 * machine), which a command without --jq never pays.
 *
 * Output follows `gh --jq`: strings print raw (no quotes), other values as JSON, pretty on a terminal and
 * one per line when piped.
 */
import { ConflError, UsageError } from "../errors.js";

/** jq's exit statuses (jq manual): 2 usage, 3 compile error, 5 runtime error (halt_error may choose others). */
const JQ_COMPILE_ERROR = 3;

export async function runJq(outputText: string, expression: string, pretty: boolean): Promise<string> {
  if (outputText.trim() === "") {
    throw new UsageError("--jq needs JSON output, and this command printed none");
  }
  let input: unknown;
  try {
    input = JSON.parse(outputText);
  } catch {
    throw new UsageError("--jq needs JSON output, and this command's output is not JSON", {
      hint: "drop --include (-i) or --silent; --jq reads the response body",
    });
  }
  const { raw } = await import("jq-wasm");
  const flags = pretty ? ["-r"] : ["-r", "-c"];
  // jq-wasm serialises the input itself; passing the parsed value keeps big numbers as JSON.parse read them.
  const result = await raw(input as object, expression, flags);
  if (result.exitCode === 0) return result.stdout.endsWith("\n") ? result.stdout : `${result.stdout}\n`;
  // jq's compile errors end the first line with ":" and show the expression on the next lines
  const message = firstLine(result.stderr).replace(/:$/, "") || `jq exited with status ${result.exitCode}`;
  if (result.exitCode === JQ_COMPILE_ERROR || result.exitCode === 2)
    throw new UsageError(`--jq: ${message}`, {
      code: "usage.jq",
      hint: "see https://jqlang.org/manual/ for the expression syntax",
    });
  throw new ConflError(`--jq: ${message}`, { code: "jq.runtime" });
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .map((line) => line.trim())
      .find((line) => line !== "") ?? ""
  );
}
