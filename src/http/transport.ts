/**
 * The wire: one request per call, never following redirects itself. A plain request goes over node:http
 * or node:https (node-transport.ts: Node's built-in fetch costs ~20 ms of CPU to load, issue 14). Node's
 * fetch also ignores HTTPS_PROXY and cannot take a client certificate (dependencies.md §4), so when a
 * proxy, a CA file, mTLS or --insecure is configured we load undici lazily and use its fetch with a
 * dispatcher; plain requests pay nothing for it.
 */
import { readFileSync } from "node:fs";
import type { TlsSettings } from "../config/types.js";
import { ConflError, ExitCode } from "../errors.js";
import { NetworkError, TimeoutError, TlsError, type TlsProblem } from "./errors.js";
import { nodeFetch, type WireResponse } from "./node-transport.js";
import { proxyEnv, proxyFor } from "./proxy-env.js";

export { proxyFor };

export type FetchLike = (
  url: string,
  init: RequestInit & {
    dispatcher?: unknown;
    duplex?: "half";
    /** connect to these addresses instead of resolving the host again (plainHttpDecision) */
    pinnedAddresses?: string[];
  },
) => Promise<WireResponse>;

export interface TransportOptions {
  /** the profile's stored settings */
  tls?: TlsSettings | undefined;
  /** from command-line flags (--ca-file, --insecure): each field set here wins (effectiveTlsSettings) */
  tlsOverrides?: TlsSettings | undefined;
  env: NodeJS.ProcessEnv;
  /** where the --insecure warning goes (the command's stderr); without one it is not printed */
  warn?: ((line: string) => void) | undefined;
  /** used for the --insecure warning when no `warn` sink is given */
  notice?: ((line: string) => void) | undefined;
  debug?: ((line: string) => void) | undefined;
}

/**
 * The TLS settings in force, field by field: a flag beats CONFL_CA_FILE, which beats the profile's
 * stored value, so `--insecure` or `--ca-file` never drops the profile's client certificate and key.
 */
export function effectiveTlsSettings(
  stored: TlsSettings | undefined,
  env: NodeJS.ProcessEnv,
  flags: TlsSettings | undefined,
): TlsSettings {
  const merged: TlsSettings = { ...stored };
  if (env.CONFL_CA_FILE) merged.caFile = env.CONFL_CA_FILE;
  for (const [key, value] of Object.entries(flags ?? {}) as Array<[keyof TlsSettings, never]>) {
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

export interface Transport {
  fetch: FetchLike;
  /** what the transport does, for --debug */
  describe: string;
}

function readPem(path: string, what: string, hint: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    // a missing or unreadable file the user named is bad input (README: exit 2, "missing file")
    throw new ConflError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? "error"}`, {
      hint,
      code: "http.tls.file",
      exitCode: ExitCode.USAGE,
    });
  }
}

/** Sinks already warned about --insecure: once per command run (a run reuses its sink), not per client. */
let insecureWarned = new WeakSet<(line: string) => void>();

export async function createTransport(options: TransportOptions): Promise<Transport> {
  const { env } = options;
  const tls = effectiveTlsSettings(options.tls, env, options.tlsOverrides);
  const caFile = tls.caFile;
  const proxies = proxyEnv(env);
  const useProxy = proxies.httpProxy !== "" || proxies.httpsProxy !== "";
  const needsDispatcher =
    useProxy || caFile !== undefined || tls.clientCert !== undefined || tls.insecure === true;
  if (!needsDispatcher) return { fetch: nodeFetch, describe: "node:http" };

  const connect: Record<string, unknown> = {};
  if (caFile !== undefined) {
    // Passing `ca` replaces Node's roots, so add the bundled roots and NODE_EXTRA_CA_CERTS back: the
    // file extends what is trusted, it does not narrow it.
    // node:tls is loaded here, not at start-up: a plain http request never needs it (issue 14)
    const { rootCertificates } = await import("node:tls");
    const extra = env.NODE_EXTRA_CA_CERTS ? [safeRead(env.NODE_EXTRA_CA_CERTS)] : [];
    connect.ca = [
      ...rootCertificates,
      ...extra.filter((s): s is string => s !== undefined),
      readPem(caFile, "CA file", "check --ca-file / CONFL_CA_FILE points to a PEM file"),
    ];
  }
  if (tls.clientCert !== undefined || tls.clientKey !== undefined) {
    if (!tls.clientCert || !tls.clientKey)
      throw new ConflError("mTLS needs both a client certificate and its private key", {
        hint: "set both tls.clientCert and tls.clientKey (PEM files)",
        code: "http.tls.file",
      });
    connect.cert = readPem(tls.clientCert, "client certificate", "check the client certificate path");
    connect.key = readPem(tls.clientKey, "client key", "check the client key path");
  }
  if (tls.insecure) {
    connect.rejectUnauthorized = false;
    const warn = options.warn ?? options.notice;
    if (warn && !insecureWarned.has(warn)) {
      insecureWarned.add(warn);
      warn(
        "warning: --insecure: TLS certificates are NOT verified; anyone on the network path can read your credentials",
      );
    }
  }
  const undici = await import("undici");
  const direct = new undici.Agent({ connect });
  const viaProxy = new Map<string, InstanceType<typeof undici.ProxyAgent>>();
  // One dispatcher per request, chosen by proxyFor: the guard in pipeline.ts asks the same function.
  const dispatcherFor = (url: string) => {
    const proxy = useProxy ? proxyFor(new URL(url), env) : undefined;
    if (!proxy) return direct;
    let agent = viaProxy.get(proxy);
    if (!agent) {
      agent = new undici.ProxyAgent({ uri: proxy, connect, requestTls: connect } as never);
      viaProxy.set(proxy, agent);
    }
    return agent;
  };
  const undiciFetch = undici.fetch as unknown as FetchLike;
  const parts = [
    useProxy ? "proxy from environment" : "",
    caFile ? "extra CA" : "",
    tls.clientCert ? "mTLS" : "",
    tls.insecure ? "insecure" : "",
  ].filter(Boolean);
  return {
    fetch: async (url, init) => {
      const { pinnedAddresses, ...rest } = init;
      // a plain http:// credential request to a `*.localhost` name goes to the addresses the guard
      // checked (never through a proxy: the guard refuses that), on a connection of its own
      if (pinnedAddresses) {
        const { pinnedLookup } = await import("./plain-http-guard.js");
        const pinned = new undici.Agent({ connect: { ...connect, lookup: pinnedLookup(pinnedAddresses) } });
        try {
          return await undiciFetch(url, { ...rest, dispatcher: pinned });
        } finally {
          void pinned.close().catch(() => {});
        }
      }
      return undiciFetch(url, { ...rest, dispatcher: dispatcherFor(url) });
    },
    describe: `undici fetch (${parts.join(", ")})`,
  };
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** For tests: forget which sinks were warned about --insecure. */
export function resetInsecureWarning(): void {
  insecureWarned = new WeakSet();
}

const TLS_UNKNOWN_CA = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
  "CERT_UNTRUSTED",
]);

/**
 * Every `code`, `name` and `message` along an error's cause chain, outermost first: fetch wraps the socket
 * error in a TypeError, and a connection tried on several addresses fails with an AggregateError.
 */
export function errorChain(error: unknown): { codes: string[]; names: string[]; messages: string[] } {
  const codes: string[] = [];
  const names: string[] = [];
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const e = current as {
      code?: unknown;
      name?: unknown;
      message?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    if (typeof e.code === "string") codes.push(e.code);
    if (typeof e.name === "string") names.push(e.name);
    if (typeof e.message === "string") messages.push(e.message);
    current = e.cause ?? (Array.isArray(e.errors) ? e.errors[0] : undefined);
  }
  return { codes, names, messages };
}

/** A code that names a TLS failure (a certificate, the handshake), as opposed to the connection. */
export function isTlsErrorCode(code: string): boolean {
  return (
    TLS_UNKNOWN_CA.has(code) ||
    code === "CERT_HAS_EXPIRED" ||
    code === "CERT_NOT_YET_VALID" ||
    code === "ERR_TLS_CERT_ALTNAME_INVALID" ||
    code === "HOSTNAME_MISMATCH" ||
    code.startsWith("ERR_SSL") ||
    code.startsWith("ERR_TLS") ||
    /ssl|tls/i.test(code)
  );
}

/** Maps what fetch throws to NetworkError / TlsError / TimeoutError with a hint. */
export function mapNetworkError(
  error: unknown,
  init: { method: string; url: string; timeoutMs: number; timedOut: boolean; hasClientCert?: boolean },
): ConflError {
  if (error instanceof ConflError) return error;
  const { method, url } = init;
  const host = safeHost(url);
  if (init.timedOut || (error instanceof Error && error.name === "TimeoutError")) {
    return new TimeoutError(`${method} ${url}: no response within ${Math.round(init.timeoutMs / 1000)} s`, {
      url,
      timeoutMs: init.timeoutMs,
      hint: "the server or network is slow; raise --timeout, or check your connection or proxy",
      cause: error,
    });
  }
  const chain = errorChain(error);
  const code = chain.codes.find((c) => c !== "UND_ERR_ABORTED");
  const detail = chain.messages.join(": ");
  if (code && TLS_UNKNOWN_CA.has(code)) {
    return tlsError(
      `${host}'s certificate is signed by a CA this machine does not trust (${code})`,
      url,
      "unknown_ca",
      code,
      error,
      "if your company uses a private CA, pass --ca-file <pem> or set CONFL_CA_FILE (NODE_EXTRA_CA_CERTS also works)",
    );
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return tlsError(
      `${host}'s TLS certificate is ${code === "CERT_HAS_EXPIRED" ? "expired" : "not yet valid"}`,
      url,
      "expired",
      code,
      error,
      "the server's certificate must be renewed (or this machine's clock is wrong)",
    );
  }
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID" || code === "HOSTNAME_MISMATCH") {
    return tlsError(
      `${host}'s TLS certificate is for a different host name`,
      url,
      "hostname_mismatch",
      code,
      error,
      "check the site URL (a typo, or an IP address where a name is expected)",
    );
  }
  if (
    /certificate required|alert number 116|handshake failure|bad certificate|alert 40|alert number 40/i.test(
      detail,
    ) ||
    code === "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED"
  ) {
    return tlsError(
      `${host} requires a client certificate (mTLS) and refused the connection`,
      url,
      "client_certificate",
      code,
      error,
      "configure tls.clientCert and tls.clientKey for this profile",
    );
  }
  if (code && isTlsErrorCode(code)) {
    return tlsError(
      `TLS connection to ${host} failed (${code})`,
      url,
      "other",
      code,
      error,
      "run with --debug for details",
    );
  }
  const proxyFailure = /proxy/i.test(detail);
  const reasons: Record<string, string> = {
    ENOTFOUND: `cannot resolve ${host} (DNS)`,
    EAI_AGAIN: `cannot resolve ${host} (DNS, temporary failure)`,
    ECONNREFUSED: `connection to ${host} refused`,
    ECONNRESET: `connection to ${host} was reset`,
    UND_ERR_SOCKET: `connection to ${host} closed unexpectedly`,
    UND_ERR_CONNECT_TIMEOUT: `connecting to ${host} timed out`,
    EHOSTUNREACH: `${host} is unreachable`,
    ENETUNREACH: `network unreachable for ${host}`,
    EPIPE: `connection to ${host} was closed while sending`,
  };
  const reason = proxyFailure
    ? `the proxy failed to connect to ${host}: ${detail}`
    : ((code && reasons[code]) ?? `${method} ${url} failed: ${detail}`);
  return new NetworkError(`${method} ${url}: ${reason}`, {
    url,
    method,
    networkCode: code,
    cause: error,
    hint: proxyFailure
      ? "check HTTPS_PROXY / NO_PROXY and the proxy's credentials"
      : code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? "check the site URL and your network (VPN?)"
        : // Under TLS 1.3 a server that demands a client certificate closes the connection after the
          // handshake, which reaches us as a plain socket close (measured against a requestCert server).
          url.startsWith("https:") &&
            !init.hasClientCert &&
            (code === "UND_ERR_SOCKET" || code === "ECONNRESET")
          ? "check your network, VPN or proxy; if the server requires a client certificate (mTLS), set tls.clientCert and tls.clientKey"
          : "check your network, VPN or proxy (HTTPS_PROXY) and try again",
  });
}

function tlsError(
  message: string,
  url: string,
  problem: TlsProblem,
  code: string | undefined,
  cause: unknown,
  hint: string,
) {
  return new TlsError(message, { url, problem, networkCode: code, cause, hint });
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
