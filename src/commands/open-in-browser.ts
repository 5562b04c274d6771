/** `--web` on view commands: open the object's browser URL through the context's browser. */
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";

export async function openInBrowser(ctx: Context, url: string | null): Promise<void> {
  if (!url) {
    throw new UsageError("confl does not know the browser address of this site", {
      code: "usage.no_web_url",
      hint: "log in with the site's own address (https://<your-site>.atlassian.net) rather than the API gateway URL",
    });
  }
  if (ctx.io.stderrIsTTY) ctx.io.err(`Opening ${url} in your browser.`);
  await ctx.browser().open(url);
}
