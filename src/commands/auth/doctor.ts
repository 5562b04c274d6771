/**
 * `confl auth doctor`: one command for "why doesn't it work?" (issue 13). Runs the checks in src/doctor/steps.ts
 * in order and prints each as it finishes, ✓/✗ (! for a warning, - for a skipped step), then the fix for the
 * first failure. `--json` prints the whole report for bug reports, every secret redacted. Exit 0 when nothing
 * failed, else the first failed step's exit code (1 network, 2 usage, 4 authentication).
 */
import type { Command } from "@commander-js/extra-typings";
import type { Context, ContextFactory } from "../../context.js";
import type { DoctorReport, StepResult } from "../../doctor/steps.js";

export async function run(ctx: Context): Promise<DoctorReport> {
  const { runDoctor } = await import("../../doctor/steps.js");
  const c = ctx.io.colors;
  const mark = (step: StepResult) =>
    step.status === "pass"
      ? c.green("✓")
      : step.status === "fail"
        ? c.red("✗")
        : step.status === "warn"
          ? c.yellow("!")
          : c.dim("-");
  const print = (step: StepResult) => {
    if (ctx.globals.json) return;
    const detail = step.status === "skip" ? c.dim(step.detail) : step.detail;
    ctx.io.out(`${mark(step)} ${step.name.padEnd(16)}${detail}`);
    if (step.status === "warn" && step.fix) ctx.io.out(`  ${" ".repeat(16)}hint: ${step.fix}`);
  };
  const report = await runDoctor(ctx, print);
  if (ctx.globals.json) {
    ctx.io.out(JSON.stringify(report, null, 2));
    return report;
  }
  const first = report.steps.find((s) => s.status === "fail");
  if (first) {
    ctx.io.out("");
    ctx.io.out(`${c.red(c.bold("first failure:"))} ${first.name}: ${first.detail}`);
    if (first.fix) ctx.io.out(`${c.bold("fix:")} ${first.fix}`);
  } else {
    const warnings = report.steps.filter((s) => s.status === "warn").length;
    ctx.io.out("");
    ctx.io.out(
      c.green(`all checks passed${warnings ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : ""}`),
    );
  }
  return report;
}

export function register(auth: Command, getContext: ContextFactory): void {
  auth
    .command("doctor")
    .description(
      "Check everything between confl and the site: DNS, proxy, TLS, deployment, identity, content, Jira, rate limit, token expiry, keychain",
    )
    .addHelpText(
      "after",
      `
Each step prints ✓ (works), ✗ (fails), ! (a warning) or - (skipped after an earlier failure, or not
applicable), and the fix for the first failure follows. Exits 0 when nothing failed, else the exit code
of the first failure (1 network, 4 credential).

Examples:
  $ confl auth doctor
  $ confl --profile dc auth doctor
  $ confl auth doctor --json > doctor.json   # for a bug report: every secret is redacted`,
    )
    .action(async (_opts, cmd) => {
      const report = await run(getContext(cmd as unknown as Command));
      if (report.exitCode !== 0) process.exitCode = report.exitCode;
    });
}
