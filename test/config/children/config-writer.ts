// Child process for the kill and concurrency tests. Modes:
//   count <id> <n>  add profiles p<id>-0 .. p<id>-<n-1> through updateConfig, one update each
//   secrets <id> <n> set entries s<id>-0 .. s<id>-<n-1> in both secret files, one locked update each
//   churn           rewrite config.json, secrets.json and secrets.enc.json in a tight loop forever,
//                   printing "ready" once each file exists (the parent SIGKILLs it at a random moment)
import { updateConfig } from "../../../src/config/store.js";
import type { Profile } from "../../../src/config/types.js";
import { EncryptedFileStore } from "../../../src/secrets/encrypted-file.js";
import { PlainFileStore } from "../../../src/secrets/plain-file.js";

const env = process.env;

function profile(name: string, padding = 0): Profile {
  return {
    name,
    site: `https://${"x".repeat(padding)}acme.atlassian.net`,
    deployment: "cloud",
    apiBase: "https://acme.atlassian.net/wiki/",
    kind: "api-token",
    email: "alice@example.com",
    secretStore: "keychain",
  };
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "count") {
  const [id, n] = args;
  for (let i = 0; i < Number(n); i++) {
    await updateConfig(env, (config) => {
      config.profiles[`p${id}-${i}`] = profile(`p${id}-${i}`);
    });
  }
} else if (mode === "secrets") {
  const [id, n] = args;
  const plain = new PlainFileStore(env);
  const encrypted = new EncryptedFileStore({ env });
  for (let i = 0; i < Number(n); i++) {
    await plain.set(`s${id}-${i}`, `fake-plain-${id}-${i}`);
    await encrypted.set(`s${id}-${i}`, `fake-enc-${id}-${i}`);
  }
} else if (mode === "churn") {
  const plain = new PlainFileStore(env);
  const encrypted = new EncryptedFileStore({ env });
  let ready = false;
  for (let i = 0; ; i++) {
    // Sizes vary so a torn write would be visible as a truncated or spliced file.
    const size = (i * 7919) % 20_000;
    await updateConfig(env, (config) => {
      config.profiles.churn = profile("churn", size);
      config.activeProfile = "churn";
    });
    await plain.set("churn", `fake-secret-${i}-${"y".repeat(size)}`);
    await encrypted.set("churn", `fake-secret-${i}-${"z".repeat(size)}`);
    if (!ready) {
      ready = true;
      process.stdout.write("ready\n");
    }
  }
}
