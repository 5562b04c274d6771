/**
 * Issue 14: a run builds only the noun it names; every other noun is a stub (src/commands/index.ts). The
 * stubs must say exactly what the real nouns say wherever a stub is seen: the root's --help, "did you
 * mean", `confl help`.
 */
import type { Command } from "@commander-js/extra-typings";
import { describe, expect, it } from "vitest";
import { ALL_NOUNS } from "../../src/commands/all.js";
import { NOUNS, nounsFor } from "../../src/commands/index.js";
import { buildProgram } from "../../src/main.js";

const noContext = () => {
  throw new Error("no command runs here");
};

describe("lazy nouns", () => {
  const full = buildProgram(noContext, ALL_NOUNS);
  const stubs = buildProgram(noContext, new Map());

  it("every noun has an entry, in the order of the full tree", () => {
    expect(NOUNS.map((n) => n.name)).toEqual(full.commands.map((c) => c.name()));
    expect([...ALL_NOUNS.keys()]).toEqual(NOUNS.map((n) => n.name));
  });

  it("the root's --help is the same with stubs as with every noun built", () => {
    expect(stubs.helpInformation()).toEqual(full.helpInformation());
  });

  it("each stub has its noun's name, description, arguments and aliases", () => {
    const shape = (c: Command) => ({
      name: c.name(),
      aliases: c.aliases(),
      description: c.description(),
      args: c.registeredArguments.map(
        (a) => `${a.required ? "<" : "["}${a.name()}${a.variadic ? "..." : ""}${a.required ? ">" : "]"}`,
      ),
      hidden: (c as unknown as { _hidden: boolean })._hidden,
    });
    expect(stubs.commands.map((c) => shape(c as never))).toEqual(full.commands.map((c) => shape(c as never)));
  });

  it("a command line builds the noun it names (after the root's flags), and help's noun too", () => {
    expect(nounsFor(["page", "view", "1"])).toEqual(["page"]);
    expect(nounsFor(["--profile", "page", "auth", "status"])).toEqual(["auth"]);
    expect(nounsFor(["--profile=dc", "--json", "space", "list"])).toEqual(["space"]);
    expect(nounsFor(["--jq", ".x", "api", "rest/api/user/current"])).toEqual(["api"]);
    expect(nounsFor(["help", "page", "view"])).toEqual(["help", "page"]);
    expect(nounsFor(["help", "environment"])).toEqual(["help"]);
    expect(nounsFor(["--help"])).toEqual([]);
    expect(nounsFor(["pge", "view"])).toEqual([]);
    expect(nounsFor(["--", "page"])).toEqual([]);
  });
});
