/**
 * One TLS handshake with a server, to show people what it presented: the chain, the issuer, the validity dates,
 * whether this machine trusts it (Node's roots + NODE_EXTRA_CA_CERTS + the profile's or CONFL_CA_FILE's CA
 * file), and whether it names the host. The handshake never sends a request, so no credential is involved.
 * Through an http:// proxy it tunnels with CONNECT first, as the transport does.
 */
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { isIP, type Socket } from "node:net";
import {
  checkServerIdentity,
  connect,
  type PeerCertificate,
  rootCertificates,
  type TLSSocket,
} from "node:tls";
import type { TlsSettings } from "../config/types.js";

export interface TlsReport {
  protocol?: string;
  /** subject CN (or O) of each certificate, the server's first */
  chain: string[];
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  daysLeft: number;
  /** undefined when trusted and matching the host; else OpenSSL's / Node's code */
  problem?: string;
  problemMessage?: string;
  /** how trust was decided: "system roots", "system roots + CA file <path>" */
  trust: string;
  viaProxy?: string;
}

function nameOf(part: Record<string, string | string[]> | undefined): string {
  if (!part) return "?";
  const pick = (k: string) => {
    const v = part[k];
    return Array.isArray(v) ? v[0] : v;
  };
  return pick("CN") ?? pick("O") ?? "?";
}

function chainOf(cert: PeerCertificate & { issuerCertificate?: PeerCertificate }): string[] {
  const names: string[] = [];
  let current: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = cert;
  const seen = new Set<string>();
  while (current && !seen.has(current.fingerprint256) && names.length < 8) {
    seen.add(current.fingerprint256);
    names.push(nameOf(current.subject as unknown as Record<string, string>));
    current = current.issuerCertificate as typeof current;
  }
  return names;
}

/** A CONNECT tunnel through an http:// proxy to host:port (what undici's ProxyAgent opens for https). */
function tunnel(proxy: string, host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const p = new URL(proxy);
    if (p.protocol !== "http:") {
      reject(new Error(`cannot tunnel through a ${p.protocol} proxy here`));
      return;
    }
    const target = `${host.includes(":") ? `[${host}]` : host}:${port}`;
    const headers: Record<string, string> = { host: target };
    if (p.username)
      headers["proxy-authorization"] =
        `Basic ${Buffer.from(`${decodeURIComponent(p.username)}:${decodeURIComponent(p.password)}`).toString("base64")}`;
    const req = request({
      host: p.hostname.replace(/^\[|\]$/g, ""),
      port: Number(p.port) || 80,
      method: "CONNECT",
      path: target,
      headers,
      timeout: timeoutMs,
    });
    req.on("connect", (res, socket) => {
      if (res.statusCode === 200) resolve(socket);
      else {
        socket.destroy();
        reject(new Error(`the proxy answered ${res.statusCode} to CONNECT ${target}`));
      }
    });
    req.on("timeout", () => req.destroy(new Error(`the proxy did not answer CONNECT ${target} in time`)));
    req.on("error", reject);
    req.end();
  });
}

export async function probeTls(
  url: URL,
  options: { tls: TlsSettings; env: NodeJS.ProcessEnv; proxy?: string; timeoutMs?: number },
): Promise<TlsReport> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = Number(url.port) || 443;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let ca: string[] | undefined;
  let trust = "system roots";
  if (options.env.NODE_EXTRA_CA_CERTS) trust += " + NODE_EXTRA_CA_CERTS";
  if (options.tls.caFile) {
    const extra = options.env.NODE_EXTRA_CA_CERTS ? [safeRead(options.env.NODE_EXTRA_CA_CERTS)] : [];
    ca = [
      ...rootCertificates,
      ...extra.filter((s): s is string => s !== undefined),
      readFileSync(options.tls.caFile, "utf8"),
    ];
    trust += ` + CA file ${options.tls.caFile}`;
  }
  const socket = options.proxy ? await tunnel(options.proxy, host, port, timeoutMs) : undefined;
  const tlsSocket = await new Promise<TLSSocket>((resolve, reject) => {
    const s = connect({
      host,
      port,
      ...(socket ? { socket } : {}),
      ...(isIP(host) ? {} : { servername: host }),
      ...(ca ? { ca } : {}),
      ...(options.tls.clientCert && options.tls.clientKey
        ? {
            cert: readFileSync(options.tls.clientCert, "utf8"),
            key: readFileSync(options.tls.clientKey, "utf8"),
          }
        : {}),
      // judged below, so that an untrusted certificate can still be shown
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    s.once("secureConnect", () => resolve(s));
    s.once("timeout", () =>
      s.destroy(Object.assign(new Error("TLS handshake timed out"), { code: "ETIMEDOUT" })),
    );
    s.once("error", reject);
  });
  try {
    const cert = tlsSocket.getPeerCertificate(true);
    const validTo = new Date(cert.valid_to);
    const report: TlsReport = {
      chain: chainOf(cert),
      subject: nameOf(cert.subject as unknown as Record<string, string>),
      issuer: nameOf(cert.issuer as unknown as Record<string, string>),
      validFrom: new Date(cert.valid_from).toISOString(),
      validTo: validTo.toISOString(),
      daysLeft: Math.floor((validTo.getTime() - Date.now()) / 86_400_000),
      trust,
      ...(options.proxy ? { viaProxy: options.proxy } : {}),
    };
    const protocol = tlsSocket.getProtocol();
    if (protocol) report.protocol = protocol;
    const authError = tlsSocket.authorizationError as unknown as Error | string | null;
    if (authError) {
      const code =
        typeof authError === "string"
          ? authError
          : ((authError as { code?: string }).code ?? authError.message);
      report.problem = code;
      report.problemMessage = typeof authError === "string" ? authError : authError.message;
    } else {
      const mismatch = checkServerIdentity(host, cert);
      if (mismatch) {
        report.problem = (mismatch as Error & { code?: string }).code ?? "ERR_TLS_CERT_ALTNAME_INVALID";
        report.problemMessage = mismatch.message;
      }
    }
    return report;
  } finally {
    tlsSocket.destroy();
  }
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
