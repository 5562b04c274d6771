/** The `comment` noun: list, add. */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";
import { register as registerAdd } from "./add.js";
import { register as registerList } from "./list.js";

export function registerComment(program: Command, getContext: ContextFactory): void {
  const noun = program.command("comment").description("List and add page comments");
  registerList(noun, getContext);
  registerAdd(noun, getContext);
}
