/**
 * The one guard for clear text: nothing that may be a credential goes over plain http:// unless the
 * bytes cannot leave this machine. Every request confl sends asks it — the API pipeline (wireSend) and
 * the OAuth helper calls (token endpoint, accessible resources) — and it decides on what will actually
 * be sent: the URL as fetch will use it, every header on the request, whether a proxy carries it, and
 * for `*.localhost` names what they resolve to.
 */
import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { proxyFor } from "./proxy-env.js";

/**
 * Headers confl itself sets that carry nothing secret. Every other header — Authorization, Cookie,
 * Proxy-Authorization, a strategy's own header, anything given with `-H` — counts as a credential.
 */
const NON_CREDENTIAL_HEADERS = new Set([
  "accept",
  "accept-language",
  "user-agent",
  "content-type",
  "content-length",
]);

/** Lower-case names of the headers on `headers` that may carry a credential. */
export function possibleCredentialHeaders(headers: Headers): string[] {
  const names: string[] = [];
  headers.forEach((_value, name) => {
    if (!NON_CREDENTIAL_HEADERS.has(name.toLowerCase())) names.push(name.toLowerCase());
  });
  return names;
}

/** All addresses a host name resolves to. */
export type HostLookup = (hostname: string) => Promise<string[]>;

const systemLookup: HostLookup = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.0.0.0/8 (::ffff:127.x.y.z, which URL writes ::ffff:7fxx:yyzz). */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "");
  const family = isIP(bare);
  if (family === 4) return bare.startsWith("127.");
  if (family !== 6) return false;
  // Let the URL parser write it canonically (compressed, lower case, mapped IPv4 in hex).
  const canonical = new URL(`http://[${bare}]/`).hostname.replace(/^\[|\]$/g, "");
  return canonical === "::1" || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
}

/**
 * Loopback by name alone, without asking a resolver: a loopback address, `localhost`, or a `*.localhost` name
 * (RFC 6761). For deciding defaults and early refusals; what may be sent in clear text is decided by
 * isLoopbackDestination, which also checks what a `*.localhost` name resolves to.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIP(host)) return isLoopbackAddress(host);
  return host === "localhost" || host.endsWith(".localhost");
}

const resolvedLoopback = new Map<string, Promise<string[] | undefined>>();

/**
 * What a `*.localhost` name resolves to, when every address is loopback; undefined when it does not
 * resolve or any address leaves this machine. RFC 6761 says such names should resolve to loopback, but a
 * resolver may say otherwise: ask it, once per name and process (the system resolver) or every time (a
 * lookup given by the caller).
 */
async function loopbackAddressesOf(host: string, lookup?: HostLookup): Promise<string[] | undefined> {
  const resolve = async (): Promise<string[] | undefined> => {
    try {
      const addresses = await (lookup ?? systemLookup)(host);
      return addresses.length > 0 && addresses.every(isLoopbackAddress) ? addresses : undefined;
    } catch {
      return undefined;
    }
  };
  if (lookup) return resolve();
  let cached = resolvedLoopback.get(host);
  if (!cached) {
    cached = resolve();
    resolvedLoopback.set(host, cached);
  }
  return cached;
}

/**
 * Whether a connection to `hostname` (as URL writes it) stays on this machine: a loopback address,
 * `localhost`, or a `*.localhost` name that resolves to loopback addresses only. Any other name is not
 * loopback, whatever it resolves to.
 */
export async function isLoopbackDestination(hostname: string, lookup?: HostLookup): Promise<boolean> {
  return (await loopbackDestination(hostname, lookup)).loopback;
}

/** As isLoopbackDestination, with the addresses a `*.localhost` name was found to resolve to. */
async function loopbackDestination(
  hostname: string,
  lookup?: HostLookup,
): Promise<{ loopback: boolean; addresses?: string[] }> {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIP(host)) return { loopback: isLoopbackAddress(host) };
  if (host === "localhost") return { loopback: true };
  if (!/(^|\.)localhost\.?$/.test(host)) return { loopback: false };
  const addresses = await loopbackAddressesOf(host, lookup);
  return addresses ? { loopback: true, addresses } : { loopback: false };
}

export interface OutgoingRequest {
  url: URL;
  headers: Headers;
  /** the body itself is a credential (a token request: client secret, refresh token, code) */
  credentialBody?: boolean;
}

export interface PlainHttpRefusal {
  message: string;
  hint: string;
}

/**
 * Why `request` must not be sent, or undefined when it may. Only plain http:// is judged here: a
 * request with something that may be a credential goes out only to this machine, and never through
 * a proxy (which forwards it in clear text to wherever it likes).
 */
export async function plainHttpRefusal(
  request: OutgoingRequest,
  env: NodeJS.ProcessEnv,
  lookup?: HostLookup,
): Promise<PlainHttpRefusal | undefined> {
  return (await plainHttpDecision(request, env, lookup)).refusal;
}

/**
 * plainHttpRefusal, plus the addresses the decision rested on: when a credential may go to a `*.localhost`
 * name because it resolved to loopback, `pinnedAddresses` are those addresses, and the transport must
 * connect to them rather than resolve the name again (a resolver could answer differently the second time).
 */
export async function plainHttpDecision(
  request: OutgoingRequest,
  env: NodeJS.ProcessEnv,
  lookup?: HostLookup,
): Promise<{ refusal?: PlainHttpRefusal; pinnedAddresses?: string[] }> {
  const { url } = request;
  if (url.protocol !== "http:") return {};
  const headers = possibleCredentialHeaders(request.headers);
  if (headers.length === 0 && !request.credentialBody) return {};
  const proxy = proxyFor(url, env);
  if (!proxy) {
    const destination = await loopbackDestination(url.hostname, lookup);
    if (destination.loopback) return destination.addresses ? { pinnedAddresses: destination.addresses } : {};
  }
  const what = [
    ...(headers.length > 0 ? [`the ${headers.join(", ")} header${headers.length > 1 ? "s" : ""}`] : []),
    ...(request.credentialBody ? ["OAuth client credentials or tokens in the body"] : []),
  ].join(" and ");
  return {
    refusal: proxy
      ? {
          message: `refusing to send a credential over plain http:// to ${url.host} through a proxy (${what})`,
          hint: "a proxy (HTTP_PROXY) would carry it in clear text; use https://, or add the host to NO_PROXY if it is on this machine",
        }
      : {
          message: `refusing to send a credential over plain http:// to ${url.host} (${what})`,
          hint: "use the https:// URL of the site; plain http is only allowed to this machine (localhost). Headers given with -H count as credentials",
        },
  };
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | Array<{ address: string; family: number }>,
  family?: number,
) => void;

/**
 * A `lookup` for net/http connections that answers with `addresses` only, whatever name is asked: how a
 * connection is pinned to the addresses plainHttpDecision checked.
 */
export function pinnedLookup(addresses: string[]) {
  const entries = addresses.map((address) => {
    const bare = address.replace(/^\[|\]$/g, "");
    return { address: bare, family: isIP(bare) === 6 ? 6 : 4 };
  });
  return (_hostname: string, options: { all?: boolean } | number | undefined, callback: LookupCallback) => {
    const all = typeof options === "object" && options?.all === true;
    const first = entries[0];
    if (!first) {
      const error: NodeJS.ErrnoException = new Error("no address to connect to");
      error.code = "ENOTFOUND";
      callback(error, all ? [] : "", 0);
      return;
    }
    if (all) callback(null, entries);
    else callback(null, first.address, first.family);
  };
}
