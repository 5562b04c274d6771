/**
 * The commands' run() functions in-process, with parts of the Context replaced (gh's Factory): the real
 * client factory against the simulator, a fake browser, a fake terminal 50 columns wide.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { run as pageTree } from "../../src/commands/page/tree.js";
import { run as pageView } from "../../src/commands/page/view.js";
import { run as spaceList } from "../../src/commands/space/list.js";
import { createContext } from "../../src/context.js";
import { createIOStreams } from "../../src/io/streams.js";
import { displayWidth } from "../../src/output/table.js";
import { simEnv } from "../auth/helpers.js";
import { useSimulator } from "../support/context.js";

const sim = useSimulator();

function terminalContext(columns: number) {
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns });
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c) => out.push(String(c)));
  stderr.on("data", (c) => err.push(String(c)));
  const opened: string[] = [];
  const ctx = createContext(
    {
      io: createIOStreams({ stdout, stderr, stdin: new PassThrough(), env: { NO_COLOR: "1" } }),
      env: simEnv(sim, {
        CONFLUENCE_URL: sim.origins.dc,
        CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat,
      }),
      globals: { json: false, debug: false, color: false, input: false },
    },
    { browser: () => ({ open: async (url) => void opened.push(url) }) },
  );
  return { ctx, opened, out: () => out.join(""), err: () => err.join("") };
}

describe("run() with injected parts", () => {
  it("page view --web opens the URL through ctx.browser() and prints nothing on stdout", async () => {
    const t = terminalContext(80);
    await pageView({ page: "DOC:Getting started", format: "text", web: true }, t.ctx);
    expect(t.opened).toEqual([`${sim.origins.dc}/pages/viewpage.action?pageId=65537`]);
    expect(t.out()).toBe("");
    expect(t.err()).toBe(`Opening ${sim.origins.dc}/pages/viewpage.action?pageId=65537 in your browser.\n`);
  });

  it("the client factory builds one client per command run, however often it is asked", async () => {
    const t = terminalContext(80);
    expect(await t.ctx.client()).toBe(await t.ctx.client());
  });

  it("on a narrow terminal the space table has a header and fits the width", async () => {
    const t = terminalContext(30);
    await spaceList({ limit: undefined }, t.ctx);
    const lines = t.out().trimEnd().split("\n");
    expect(lines[0]).toMatch(/^KEY +NAME +TYPE /);
    expect(lines[2]).toMatch(/^DOC +Documen…/);
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(30);
  });

  it("on a terminal the tree is drawn with connectors", async () => {
    const t = terminalContext(80);
    await pageTree({ page: "65539", depth: 1 }, t.ctx);
    const lines = t.out().trimEnd().split("\n");
    expect(lines[0]).toBe("Guides 65539");
    expect(lines[1]).toBe("├── Guides 01 65540");
    expect(lines[11]).toBe("└── Guides 11 65550");
  });
});
