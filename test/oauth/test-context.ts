/** The OAuth tests' names for the shared in-process context (test/support/context.ts). */
import { type InProcessContext, inProcessContext } from "../support/context.js";

export { MemoryStore, submitConsent } from "../support/context.js";
export type TestContext = InProcessContext;

/** stdin stays open: the test writes the pasted redirect URL or code to `t.stdin` */
export function testContext(env: NodeJS.ProcessEnv, options: { debug?: boolean } = {}): TestContext {
  return inProcessContext(env, { ...options, openStdin: true });
}
