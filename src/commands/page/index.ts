/** The `page` noun: view, list, children, tree. */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";
import { register as registerChildren } from "./children.js";
import { register as registerList } from "./list.js";
import { register as registerTree } from "./tree.js";
import { register as registerView } from "./view.js";

export function registerPage(program: Command, getContext: ContextFactory): void {
  const page = program.command("page").description("View pages, list them and walk their tree");
  registerView(page, getContext);
  registerList(page, getContext);
  registerChildren(page, getContext);
  registerTree(page, getContext);
}
