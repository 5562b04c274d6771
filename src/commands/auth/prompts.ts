/**
 * The questions `auth` commands ask: the login prompter lives with the auth core (src/auth/login-prompter.ts),
 * which OAuth logins use too; the yes/no confirmation is here.
 */
import type { Context } from "../../context.js";
import { InterruptedError } from "../../errors.js";

export {
  clackPrompter,
  type KindChoice,
  type LoginPrompter,
  type OAuthPrompter,
} from "../../auth/login-prompter.js";

/** A yes/no question on stderr; false unless the person answers yes. Ctrl-C is InterruptedError. */
export type Confirm = (message: string) => Promise<boolean>;

export function clackConfirm(ctx: Context): Confirm {
  return async (message) => {
    const { confirm, isCancel } = await import("@clack/prompts");
    const value = await confirm({ message, initialValue: false, input: ctx.io.stdin, output: ctx.io.stderr });
    if (isCancel(value)) throw new InterruptedError("cancelled");
    return value === true;
  };
}
