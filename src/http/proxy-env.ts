/**
 * Which proxy carries a request, from the environment alone. Kept apart from transport.ts so that the
 * plain-http guard (and the credential kinds that use it) can ask without loading the transport and its
 * error types (issue 14: `auth` registration must not load the HTTP client).
 */

export function proxyEnv(env: NodeJS.ProcessEnv) {
  const pick = (lower: string, upper: string) => env[lower] ?? env[upper] ?? "";
  return {
    httpProxy: pick("http_proxy", "HTTP_PROXY"),
    httpsProxy: pick("https_proxy", "HTTPS_PROXY"),
    noProxy: pick("no_proxy", "NO_PROXY"),
  };
}

const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443 };

/**
 * The proxy that will carry a request to `url`, or undefined for a direct connection. The transport picks
 * its dispatcher with this very function, and the plain-http guard asks it whether loopback is really
 * loopback (a proxy in between can forward the request anywhere), so the two can never disagree.
 * The rules are undici's EnvHttpProxyAgent's (7.x): https falls back to HTTP_PROXY; NO_PROXY entries are
 * separated by commas or spaces, `*` alone disables proxying, `.example.com` / `*.example.com` /
 * `example.com` match the host and its subdomains, `host:port` matches that port only.
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  const { httpProxy, httpsProxy, noProxy } = proxyEnv(env);
  const proxy =
    url.protocol === "https:" ? httpsProxy || httpProxy : url.protocol === "http:" ? httpProxy : "";
  if (!proxy) return undefined;
  if (noProxy === "*") return undefined;
  // url.host keeps the brackets of an IPv6 address, as NO_PROXY entries write them
  const hostname = url.host.replace(/:\d*$/, "").toLowerCase();
  const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0;
  for (const entry of noProxy.split(/[,\s]/)) {
    if (!entry) continue;
    const parsed = /^(.+):(\d+)$/.exec(entry);
    const host = (parsed ? parsed[1]! : entry).replace(/^\*?\./, "").toLowerCase();
    const entryPort = parsed ? Number.parseInt(parsed[2]!, 10) : 0;
    if (entryPort && entryPort !== port) continue;
    if (hostname === host || hostname.endsWith(`.${host}`)) return undefined;
  }
  return proxy;
}
