/** The `space` noun: list, view. */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";
import { register as registerList } from "./list.js";
import { register as registerView } from "./view.js";

export function registerSpace(program: Command, getContext: ContextFactory): void {
  const space = program.command("space").description("List and view spaces");
  registerList(space, getContext);
  registerView(space, getContext);
}
