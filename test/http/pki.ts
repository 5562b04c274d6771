/**
 * A throw-away private CA made with openssl at test time: a server certificate for 127.0.0.1 and
 * localhost, an expired one, one for the wrong host name, and a client certificate for mTLS.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Pki {
  dir: string;
  caFile: string;
  ca: string;
  server: { cert: string; key: string };
  wrongHost: { cert: string; key: string };
  expired: { cert: string; key: string };
  client: { certFile: string; keyFile: string };
  /** a second CA nobody trusts */
  otherCaFile: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

function leaf(
  dir: string,
  name: string,
  subject: string,
  ext: string,
  ca = "ca",
  days = "2",
  startExpired = false,
) {
  openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`]);
  openssl(dir, ["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  const args = [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    `${ca}.pem`,
    "-CAkey",
    `${ca}.key`,
    "-CAcreateserial",
    "-out",
    `${name}.pem`,
    "-extfile",
    `${name}.ext`,
  ];
  // openssl 3.0 (Debian 12) has no -not_after; -days -1 gives a certificate that expired yesterday
  args.push("-days", startExpired ? "-1" : days);
  openssl(dir, args);
}

function makeCa(dir: string, name: string, cn: string) {
  openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`]);
  openssl(dir, [
    "req",
    "-x509",
    "-new",
    "-key",
    `${name}.key`,
    "-subj",
    `/CN=${cn}`,
    "-days",
    "2",
    "-out",
    `${name}.pem`,
  ]);
}

export function createPki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), "confl-pki-"));
  makeCa(dir, "ca", "confl test CA");
  makeCa(dir, "other", "confl untrusted CA");
  const serverExt = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n";
  leaf(dir, "server", "/CN=127.0.0.1", serverExt);
  leaf(dir, "wrong", "/CN=wrong.example", "subjectAltName=DNS:wrong.example\nextendedKeyUsage=serverAuth\n");
  leaf(dir, "expired", "/CN=127.0.0.1", serverExt, "ca", "1", true);
  leaf(dir, "client", "/CN=cli-user", "extendedKeyUsage=clientAuth\n");
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  return {
    dir,
    caFile: join(dir, "ca.pem"),
    ca: read("ca.pem"),
    server: { cert: read("server.pem"), key: read("server.key") },
    wrongHost: { cert: read("wrong.pem"), key: read("wrong.key") },
    expired: { cert: read("expired.pem"), key: read("expired.key") },
    client: { certFile: join(dir, "client.pem"), keyFile: join(dir, "client.key") },
    otherCaFile: join(dir, "other.pem"),
  };
}
