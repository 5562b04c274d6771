/**
 * An HTML page where an API answer was expected: an SSO or login page, a proxy's error page, Tomcat's
 * own error page. Decided on the Content-Type, or (servers label pages wrongly) on how the body starts.
 */
export function looksLikeHtml(contentType: string | null | undefined, body: string): boolean {
  return /html/i.test(contentType ?? "") || /^\s*<(!doctype|html|head|body)\b/i.test(body);
}

/** The page's `<title>`, whitespace collapsed, or undefined. */
export function htmlTitle(body: string): string | undefined {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(body)?.[1]?.replace(/\s+/g, " ").trim();
  return title || undefined;
}
