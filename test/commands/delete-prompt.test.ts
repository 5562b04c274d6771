/**
 * Deletes ask on a terminal: page delete and property delete run in-process with a terminal that can
 * prompt and a prompter with canned answers. "No" deletes nothing (exit 1); "yes" deletes.
 */
import { PassThrough } from "node:stream";
import { expect, it } from "vitest";
import { run as pageDelete } from "../../src/commands/page/delete.js";
import { run as propertyDelete } from "../../src/commands/property/delete.js";
import { createContext } from "../../src/context.js";
import { createIOStreams } from "../../src/io/streams.js";
import { simEnv } from "../auth/helpers.js";
import { useSimulator } from "../support/context.js";

const sim = useSimulator();

function terminal(answer: boolean) {
  const tty = () => Object.assign(new PassThrough(), { isTTY: true });
  const asked: string[] = [];
  const ctx = createContext(
    {
      io: createIOStreams({ stdout: tty(), stderr: tty(), stdin: tty(), env: { NO_COLOR: "1" } }),
      env: simEnv(sim, { CONFLUENCE_URL: sim.origins.dc, CONFLUENCE_PERSONAL_TOKEN: sim.credentials.dc.pat }),
      globals: { json: false, debug: false, color: false, input: true },
    },
    {
      prompter: () => ({
        text: async () => "",
        secret: async () => "",
        confirm: async (message) => {
          asked.push(message);
          return answer;
        },
      }),
    },
  );
  return { ctx, asked };
}

const deletes = () => sim.log.filter((e) => e.method === "DELETE");

it("page delete on a terminal asks; 'no' deletes nothing and fails with exit 1", async () => {
  const t = terminal(false);
  expect(t.ctx.io.canPrompt).toBe(true);
  await expect(pageDelete({ page: "65545" }, t.ctx)).rejects.toMatchObject({
    code: "cancelled",
    exitCode: 1,
  });
  expect(t.asked).toEqual(['Move page 65545 "Guides 06" to the trash?']);
  expect(deletes()).toEqual([]);
});

it("page delete --purge asks the stronger question; 'yes' deletes for good", async () => {
  const t = terminal(true);
  expect(await pageDelete({ page: "65545", purge: true }, t.ctx)).toMatchObject({ status: "purged" });
  expect(t.asked).toEqual(['Delete page 65545 "Guides 06" for good (purge, cannot be undone)?']);
  expect(deletes()).toHaveLength(2);
});

it("--yes does not ask", async () => {
  const t = terminal(false);
  await pageDelete({ page: "65545", yes: true }, t.ctx);
  expect(t.asked).toEqual([]);
  expect(deletes()).toHaveLength(1);
});

it("property delete asks too", async () => {
  const t = terminal(false);
  await expect(propertyDelete({ page: "65538", key: "release-meta" }, t.ctx)).rejects.toMatchObject({
    code: "cancelled",
  });
  expect(t.asked).toEqual(['Delete property "release-meta" of page 65538?']);
  expect(deletes()).toEqual([]);
});
