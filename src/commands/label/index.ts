/** The `label` noun: list, add, remove. */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";
import { register as registerAdd } from "./add.js";
import { register as registerList } from "./list.js";
import { register as registerRemove } from "./remove.js";

export function registerLabel(program: Command, getContext: ContextFactory): void {
  const noun = program.command("label").description("List, add and remove page labels");
  registerList(noun, getContext);
  registerAdd(noun, getContext);
  registerRemove(noun, getContext);
}
