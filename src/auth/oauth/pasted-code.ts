/**
 * The authorization code without a browser on this machine (SSH, containers, --no-browser): the person opens
 * the URL elsewhere and pastes the address the browser landed on, or just its code, on a terminal or stdin.
 */
import type { Context } from "../../context.js";
import { AuthError, UsageError } from "../../errors.js";
import { type LoginFlowOptions, prompterFor } from "./flow.js";
import { authorizationDenied } from "./loopback.js";
import { readStdinLine } from "./stdin-lines.js";

/** Accepts the whole redirected URL (state checked) or a bare code. */
export function parsePastedAnswer(answer: string, expectedState: string): string {
  const text = answer.trim();
  if (text === "")
    throw new UsageError("nothing was pasted", {
      hint: "Paste the address the browser landed on after you clicked Accept.",
    });
  if (/^[a-z]+:\/\//i.test(text) || text.includes("code=") || text.includes("error=")) {
    let params: URLSearchParams;
    try {
      params = /^[a-z]+:\/\//i.test(text)
        ? new URL(text).searchParams
        : new URLSearchParams(text.replace(/^[^?]*\?/, ""));
    } catch {
      throw new UsageError("the pasted text is not a URL", {
        hint: "Paste the full address from the browser's address bar.",
      });
    }
    const error = params.get("error");
    if (error) throw authorizationDenied(error, params.get("error_description"));
    const state = params.get("state");
    if (state !== expectedState) {
      throw new AuthError("the pasted URL belongs to a different login attempt (state does not match)", {
        code: "oauth.state_mismatch",
        hint: "Paste the URL the browser reached after the consent page that this run printed, not one from an earlier login.",
      });
    }
    const code = params.get("code");
    if (!code)
      throw new UsageError("the pasted URL carries no code", {
        hint: "Paste the address the browser landed on after you clicked Accept.",
      });
    return code;
  }
  if (/\s/.test(text))
    throw new UsageError("the pasted code contains spaces", {
      hint: "Paste only the code= value, or the full URL.",
    });
  return text;
}

export async function readPastedCode(
  options: LoginFlowOptions,
  ctx: Context,
  state: string,
): Promise<string> {
  let answer: string | undefined;
  if (ctx.io.stdin.isTTY && ctx.io.canPrompt) {
    answer = await prompterFor(options, ctx).text("Redirected URL or code");
  } else {
    answer = await readStdinLine(ctx.io.stdin);
  }
  if (answer === undefined) {
    throw new UsageError("no redirected URL or code on stdin", {
      hint: "Run it in a terminal, or pipe the redirected URL in on stdin.",
    });
  }
  return parsePastedAnswer(answer, state);
}
