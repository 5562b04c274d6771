/** The `page` noun: view, list, children, tree; create, update, delete, move, copy; versions, diff. */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";
import { register as registerChildren } from "./children.js";
import { register as registerCopy } from "./copy.js";
import { register as registerCreate } from "./create.js";
import { register as registerDelete } from "./delete.js";
import { register as registerDiff } from "./diff.js";
import { register as registerList } from "./list.js";
import { register as registerMove } from "./move.js";
import { register as registerTree } from "./tree.js";
import { register as registerUpdate } from "./update.js";
import { register as registerVersions } from "./versions.js";
import { register as registerView } from "./view.js";

export function registerPage(program: Command, getContext: ContextFactory): void {
  const page = program.command("page").description("View, list, create, change, move, copy and delete pages");
  registerView(page, getContext);
  registerList(page, getContext);
  registerChildren(page, getContext);
  registerTree(page, getContext);
  registerCreate(page, getContext);
  registerUpdate(page, getContext);
  registerDelete(page, getContext);
  registerMove(page, getContext);
  registerCopy(page, getContext);
  registerVersions(page, getContext);
  registerDiff(page, getContext);
}
