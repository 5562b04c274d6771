/**
 * `confl help [topic | command…]`: a help topic (auth, environment, exit-codes, formats; the README's own
 * sections, see src/help/topics.ts), or a command's --help, as `confl help auth login`.
 */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";
import { UsageError } from "../../errors.js";

export function registerHelp(program: Command, getContext: ContextFactory): void {
  // replaces commander's implicit `help [command]`, keeping what it did (registerCommands turns it off
  // too, for when this noun is a stub)
  program.helpCommand(false);
  program
    .command("help")
    .description("Show a help topic (auth, environment, exit-codes, formats) or a command's help")
    .argument("[topic...]", "a topic, or a command such as: auth login")
    .addHelpText(
      "after",
      `
Topics:
  auth          every credential kind: when to use it, how to create it, an example
  environment   every environment variable confl reads
  exit-codes    what each exit status means
  formats       --json fields of every command, --jq, and the JSON error object

Examples:
  $ confl help auth
  $ confl help environment
  $ confl help auth login`,
    )
    .action(async (words, _opts, cmd) => {
      const ctx = getContext(cmd as unknown as Command);
      const root = cmd.parent as unknown as Command;
      if (words.length === 0) {
        root.outputHelp();
        return;
      }
      const { TOPICS, topicText } = await import("../../help/topics.js");
      if (words.length === 1) {
        const text = topicText(words[0]!);
        if (text !== undefined) {
          ctx.io.stdout.write(text);
          return;
        }
      }
      let target: Command = root;
      for (const word of words) {
        const sub = (target.commands as Command[]).find(
          (c) => c.name() === word || c.aliases().includes(word),
        );
        if (!sub)
          throw new UsageError(`no help topic or command "${words.join(" ")}"`, {
            hint: `topics: ${TOPICS.map((t) => t.name).join(", ")}; commands: see 'confl --help'`,
          });
        target = sub;
      }
      target.outputHelp();
    });
}
