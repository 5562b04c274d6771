/**
 * `confl auth login` on a terminal: a secret the server rejects is asked again (at most three tries in all),
 * instead of starting the login over; without a terminal the first rejection is the answer.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LoginPrompter } from "../../src/auth/login-prompter.js";
import { run as login } from "../../src/commands/auth/login.js";
import { AuthError, ExitCode } from "../../src/errors.js";
import { inProcessContext } from "../support/context.js";
import { type Sim, simEnv, startSim } from "./helpers.js";

let sim: Sim;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => sim.stop());
beforeEach(() => {
  sim.reset();
  sim.clearLog();
});

/** A terminal whose answers are scripted: the site, the kind, the email, then one secret per question. */
function scripted(site: string, kind: "pat" | "api-token", secrets: string[], email?: string) {
  const asked: string[] = [];
  const notes: string[] = [];
  const queue = [...secrets];
  const prompter: LoginPrompter = {
    site: async () => site,
    kind: async () => kind,
    identity: async () => email ?? "unused",
    secret: async (message) => {
      asked.push(message);
      const next = queue.shift();
      if (next === undefined) throw new Error("asked for more secrets than scripted");
      return next;
    },
    note: (line) => notes.push(line),
  };
  return { prompter, asked, notes };
}

function terminalContext(env: NodeJS.ProcessEnv) {
  const t = inProcessContext(env);
  Object.defineProperty(t.ctx.io, "canPrompt", { value: true });
  return t;
}

const bearerRequests = (token: string) =>
  sim.log.filter((e) => e.headers.authorization === `Bearer ${token}`).length;

describe("confl auth login (interactive): a rejected secret is asked again", () => {
  it("confl auth login on Data Center, a wrong PAT then the right one: says it was rejected, asks the token again, logs in", async () => {
    const env = simEnv(sim);
    const t = terminalContext(env);
    const s = scripted(sim.origins.dc, "pat", ["wrong-pat-000000000001", sim.credentials.dc.pat]);
    const result = await login({ insecureStorage: true }, t.ctx, { prompter: s.prompter });
    expect(result.profile.kind).toBe("pat");
    expect(result.identity?.username).toBe("grace");
    expect(s.asked).toEqual(["Personal access token", "Personal access token"]);
    expect(s.notes).toHaveLength(1);
    expect(s.notes[0]).toMatch(/rejected the personal access token.*attempt 2 of 3/);
    expect(s.notes[0]).not.toContain("\n");
    expect(s.notes[0]).not.toContain("wrong-pat-000000000001");
    expect(bearerRequests(sim.credentials.dc.pat)).toBeGreaterThan(0);
  });

  it("confl auth login on Cloud with api-token, a wrong token then the right one: the email is not asked again", async () => {
    const env = simEnv(sim);
    const t = terminalContext(env);
    const s = scripted(
      sim.origins.site,
      "api-token",
      ["wrong-token-00000000001", sim.credentials.cloud.apiToken],
      sim.credentials.cloud.email,
    );
    let identities = 0;
    const prompter = {
      ...s.prompter,
      identity: async (m: string) => {
        identities++;
        return s.prompter.identity(m);
      },
    };
    const result = await login({ insecureStorage: true }, t.ctx, { prompter });
    expect(result.profile).toMatchObject({ kind: "api-token", email: sim.credentials.cloud.email });
    expect(identities).toBe(1);
    expect(s.asked).toHaveLength(2);
    expect(s.notes[0]).toMatch(/rejected the (API token|credential).*attempt 2 of 3/);
  });

  it("confl auth login, three wrong PATs: stops after the third with the rejection (exit 4), nothing saved", async () => {
    const env = simEnv(sim);
    const t = terminalContext(env);
    const s = scripted(sim.origins.dc, "pat", [
      "wrong-pat-1-0000000000",
      "wrong-pat-2-0000000000",
      "wrong-pat-3-0000000000",
    ]);
    const error = await login({ insecureStorage: true }, t.ctx, { prompter: s.prompter }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).exitCode).toBe(ExitCode.AUTH);
    expect((error as AuthError).message).toMatch(/rejected the personal access token/);
    expect(s.asked).toHaveLength(3);
    expect(s.notes.map((n) => n.match(/attempt \d of 3/)?.[0])).toEqual(["attempt 2 of 3", "attempt 3 of 3"]);
  });
});

describe("confl auth login --with-token (a script): fail fast", () => {
  it("printf wrong | confl auth login --site DC --type pat --with-token: one verification, the rejection, no retry", async () => {
    const env = simEnv(sim);
    const t = inProcessContext(env, { stdin: "wrong-pat-000000000009" });
    const error = await login(
      { site: sim.origins.dc, type: "pat", withToken: true, insecureStorage: true },
      t.ctx,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe("auth.token_rejected");
    expect(t.err()).not.toMatch(/attempt 2 of 3/);
    const sent = bearerRequests("wrong-pat-000000000009");
    expect(sent).toBeGreaterThan(0);
    // the same number of requests as one verification of the right token that fails: no second round
    sim.clearLog();
    await login(
      { site: sim.origins.dc, type: "pat", withToken: true, insecureStorage: true },
      inProcessContext(simEnv(sim), { stdin: "wrong-pat-000000000010" }).ctx,
    ).catch(() => {});
    expect(bearerRequests("wrong-pat-000000000010")).toBe(sent);
  });
});
