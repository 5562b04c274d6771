/** The `property` noun: a page's content properties (JSON values under a key, each with its own version). */
import type { Command } from "@commander-js/extra-typings";
import type { ContextFactory } from "../../context.js";
import { register as registerDelete } from "./delete.js";
import { register as registerGet } from "./get.js";
import { register as registerList } from "./list.js";
import { register as registerSet } from "./set.js";

export function registerProperty(program: Command, getContext: ContextFactory): void {
  const property = program
    .command("property")
    .description("Read and write a page's content properties (JSON values stored under a key)");
  registerList(property, getContext);
  registerGet(property, getContext);
  registerSet(property, getContext);
  registerDelete(property, getContext);
}
