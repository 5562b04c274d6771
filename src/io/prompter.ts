/**
 * Questions to the person at the terminal, behind an interface so commands can be tested with canned
 * answers. The real one uses @clack/prompts on stderr (stdout stays clean for --json) and is loaded
 * only when something is actually asked.
 */
import { InterruptedError, UsageError } from "../errors.js";
import type { IOStreams } from "./streams.js";

export interface Prompter {
  text(message: string, options?: { placeholder?: string; initial?: string }): Promise<string>;
  /** masked input */
  secret(message: string): Promise<string>;
  confirm(message: string, initial?: boolean): Promise<boolean>;
}

export function clackPrompter(io: IOStreams): Prompter {
  const streams = { input: io.stdin, output: io.stderr };
  const load = () => import("@clack/prompts");
  const ensure = () => {
    if (!io.canPrompt) {
      throw new UsageError("confl needs an answer but cannot prompt here (no terminal, or --no-input)", {
        code: "usage.no_input",
        hint: "pass the value as a flag instead",
      });
    }
  };
  const answer = async <T>(value: T | symbol): Promise<Exclude<T, symbol>> => {
    const { isCancel } = await load();
    if (isCancel(value) || typeof value === "symbol") throw new InterruptedError("cancelled");
    return value as Exclude<T, symbol>;
  };
  return {
    async text(message, options = {}) {
      ensure();
      const { text } = await load();
      return answer(
        await text({
          message,
          ...(options.placeholder ? { placeholder: options.placeholder } : {}),
          ...(options.initial ? { initialValue: options.initial } : {}),
          ...streams,
        }),
      );
    },
    async secret(message) {
      ensure();
      const { password } = await load();
      return answer(await password({ message, ...streams }));
    },
    async confirm(message, initial = false) {
      ensure();
      const { confirm } = await load();
      return answer(await confirm({ message, initialValue: initial, ...streams }));
    },
  };
}
