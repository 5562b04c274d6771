/**
 * The interactive half of `auth login`, behind interfaces so tests can answer it: LoginPrompter for the
 * URL, kind, identity and secret, OAuthPrompter for what an OAuth login asks (the client secret, the pasted
 * redirect, which site). The real one answers both with @clack/prompts on stderr (stdout stays clean for
 * --json), loaded only when a person is prompted.
 */
import type { Context } from "../context.js";
import { InterruptedError } from "../errors.js";
import { terminalColumns, wrapDefinition } from "../output/wrap.js";
import type { CredentialKind } from "./types.js";

export interface KindChoice {
  kind: CredentialKind;
  label: string;
  hint: string;
}

export interface LoginPrompter {
  /** the URL to log in to: Confluence's unless `message` (and `placeholder`) say otherwise */
  site(message?: string, placeholder?: string): Promise<string>;
  kind(choices: KindChoice[], initial: CredentialKind): Promise<CredentialKind>;
  /** `email`: refused until it looks like one */
  identity(message: string, shape?: "email"): Promise<string>;
  /** masked */
  secret(message: string): Promise<string>;
  note(line: string): void;
  /** which profile to write, `initial` (the site's own) accepted with Enter; asked when other profiles exist */
  profileName?(initial: string): Promise<string>;
  /** a yes/no question (replacing a profile that belongs to another site) */
  confirm?(message: string): Promise<boolean>;
  /**
   * Where the secret goes when no OS keychain answers (`keychainReason` says why): an encrypted file, its
   * passphrase then asked twice through secret(), or a plain-text file.
   */
  storage?(keychainReason: string): Promise<"encrypted-file" | "plaintext">;
}

export interface OAuthPrompter {
  /** masked */
  secret(message: string): Promise<string>;
  text(message: string): Promise<string>;
  /** one of `choices`, by value */
  choose(message: string, choices: Array<{ value: string; label: string; hint?: string }>): Promise<string>;
}

/**
 * The kind list's labels, each kind beside its explanation, wrapped to `columns`. clack draws an option as
 * "│  ● label" and every further line of it as "│  " + the line: the text gets `columns` minus those three
 * columns, and a continuation line starts two spaces in to stand under the first line's text.
 */
export function kindOptionLabels(choices: KindChoice[], columns: number): string[] {
  const termWidth = Math.max(...choices.map((c) => c.label.length));
  return choices.map((c) =>
    wrapDefinition(c.label, c.hint, { columns: columns - CLACK_BAR.length, termWidth, indent: CLACK_RADIO })
      .map((line, i) => (i === 0 ? line.slice(CLACK_RADIO.length) : line))
      .join("\n"),
  );
}

/** what clack puts before each line of a select's options, and before an option's first line */
const CLACK_BAR = "│  ";
const CLACK_RADIO = "● ";

/** one @, something on both sides, a dot in the domain: enough to catch a username typed for an email */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function clackPrompter(ctx: Context): LoginPrompter & OAuthPrompter {
  const streams = { input: ctx.io.stdin, output: ctx.io.prompt };
  const load = () => import("@clack/prompts");
  const answer = async <T>(value: T | symbol): Promise<Exclude<T, symbol>> => {
    const { isCancel } = await load();
    if (isCancel(value) || typeof value === "symbol") throw new InterruptedError("login cancelled");
    return value as Exclude<T, symbol>;
  };
  const required = (v: string | undefined) => (v === undefined || v.trim() === "" ? "required" : undefined);
  return {
    async site(message, placeholder) {
      const { text } = await load();
      return answer(
        await text({
          message: message ?? "Confluence URL (paste any page URL or the site address)",
          placeholder: placeholder ?? "https://acme.atlassian.net",
          validate: required,
          ...streams,
        }),
      );
    },
    async kind(choices, initial) {
      const { select } = await load();
      const labels = kindOptionLabels(choices, terminalColumns(ctx.io.prompt));
      return answer(
        await select<CredentialKind>({
          message: "How do you want to authenticate?",
          // Every kind's explanation beside it, not clack's hint (shown only for the focused option):
          // someone choosing needs to compare them all at once.
          options: choices.map((c, i) => ({ value: c.kind, label: labels[i] ?? c.label })),
          initialValue: initial,
          ...streams,
        }),
      );
    },
    async identity(message, shape) {
      const { text } = await load();
      const validate = (v: string | undefined) =>
        required(v) ??
        (shape === "email" && !EMAIL_SHAPE.test((v ?? "").trim())
          ? "an email address, like me@acme.com (the Atlassian account that created the token)"
          : undefined);
      return answer(await text({ message, validate, ...streams })).then((v) => v.trim());
    },
    async secret(message) {
      const { password } = await load();
      return answer(await password({ message, mask: "•", validate: required, ...streams }));
    },
    async profileName(initial) {
      const { text } = await load();
      const { isValidProfileName } = await import("../config/profile-name.js");
      return answer(
        await text({
          message: "Profile name",
          initialValue: initial,
          validate: (v) =>
            v === undefined || !isValidProfileName(v.trim())
              ? "1-64 of A-Z a-z 0-9 . _ - (e.g. work)"
              : undefined,
          ...streams,
        }),
      ).then((v) => v.trim());
    },
    async storage(keychainReason) {
      const { select } = await load();
      ctx.io.err(`The OS keychain is not available (${keychainReason}).`);
      return answer(
        await select<"encrypted-file" | "plaintext">({
          message: "Where should confl keep the secret?",
          options: [
            {
              value: "encrypted-file",
              label:
                "an encrypted file: choose a passphrase now, type it (or set CONFL_PASSPHRASE) to use it",
            },
            {
              value: "plaintext",
              label: "a PLAINTEXT file (0600): anyone who can read your files can read the secret",
            },
          ],
          initialValue: "encrypted-file",
          ...streams,
        }),
      );
    },
    async confirm(message) {
      const { confirm } = await load();
      return answer(await confirm({ message, initialValue: false, ...streams }));
    },
    async text(message) {
      const { text } = await load();
      return answer(await text({ message, ...streams }));
    },
    async choose(message, choices) {
      const { select } = await load();
      return answer(await select<string>({ message, options: choices, ...streams }));
    },
    note(line) {
      ctx.io.err(line);
    },
  };
}
