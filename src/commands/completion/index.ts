/**
 * `confl completion <shell>`: prints the completion script for bash, zsh, fish or PowerShell. The
 * script calls back `confl __complete …` (handled in main.ts before the command tree is parsed), which
 * answers from the real command tree: src/completion/complete.ts.
 */
import { Argument, type Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";

export function registerCompletion(program: Command, getContext: ContextFactory): void {
  program
    .command("completion")
    .description("Print the shell completion script (commands, flags, flag values, profile names)")
    .addArgument(
      new Argument("<shell>", "bash, zsh, fish or powershell").choices([
        "bash",
        "zsh",
        "fish",
        "powershell",
      ] as const),
    )
    .addHelpText(
      "after",
      `
Examples:
  $ confl completion bash
  $ confl completion zsh > "\${fpath[1]}/_confl"
  $ confl completion fish > ~/.config/fish/completions/confl.fish

In bash, load it in the current shell with: source <(confl completion bash)`,
    )
    .action(async (shell, _opts, cmd) => {
      const ctx = getContext(cmd as unknown as Command);
      const { SCRIPTS } = await import("../../completion/scripts.js");
      ctx.io.stdout.write(SCRIPTS[shell]);
    });
}
