import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findNetrcEntry, readNetrc } from "../../src/config/netrc.js";

const SAMPLE = `# personal machines
machine other.example.com login bob password fake-netrc-pass-other
machine confluence.example.com
  login alice
  password "fake netrc \\"quoted\\" pass"
  account eng
macdef init
machine confluence.example.com login macro-should-not-match password nope
cd /pub

machine after-macro.example.com login carol password fake-netrc-pass-carol
default login anonymous password fake-netrc-default
`;

describe("netrc parsing", () => {
  it("finds the machine block with login, quoted password with escapes and account", () => {
    expect(findNetrcEntry(SAMPLE, "confluence.example.com")).toEqual({
      login: "alice",
      password: 'fake netrc "quoted" pass',
      account: "eng",
      isDefault: false,
    });
  });

  it("matches host names case-insensitively", () => {
    expect(findNetrcEntry(SAMPLE, "OTHER.Example.COM")?.login).toBe("bob");
  });

  it("skips macdef bodies up to the empty line, then resumes", () => {
    expect(findNetrcEntry(SAMPLE, "after-macro.example.com")).toEqual({
      login: "carol",
      password: "fake-netrc-pass-carol",
      isDefault: false,
    });
  });

  it("words inside a macro body are not entries", () => {
    const text =
      "macdef upload\nmachine m.example.com login evil password fake-evil\nput x\n\nmachine m.example.com login good password fake-good\n";
    expect(findNetrcEntry(text, "m.example.com")).toEqual({
      login: "good",
      password: "fake-good",
      isDefault: false,
    });
    // A macro that runs to the end of the file hides everything after it.
    expect(
      findNetrcEntry("macdef x\nmachine m.example.com login evil password e\n", "m.example.com"),
    ).toBeUndefined();
  });

  it("falls back to default only when no machine matched", () => {
    expect(findNetrcEntry(SAMPLE, "unknown.example.com")).toEqual({
      login: "anonymous",
      password: "fake-netrc-default",
      isDefault: true,
    });
    expect(findNetrcEntry("machine a.example.com login x password y\n", "b.example.com")).toBeUndefined();
  });

  it("the first matching machine wins", () => {
    const text =
      "machine h.example.com login first password p1\nmachine h.example.com login second password p2\n";
    expect(findNetrcEntry(text, "h.example.com")?.login).toBe("first");
  });

  it("ignores comments, including ones that look like entries", () => {
    const text =
      "# machine h.example.com login commented password bad\nmachine h.example.com login real password good # trailing\n";
    expect(findNetrcEntry(text, "h.example.com")).toEqual({
      login: "real",
      password: "good",
      isDefault: false,
    });
  });

  it("reads everything on one line and across many lines the same way", () => {
    const one = "machine h.example.com login u password p";
    const many = "machine\nh.example.com\nlogin\nu\npassword\np\n";
    expect(findNetrcEntry(one, "h.example.com")).toEqual(findNetrcEntry(many, "h.example.com"));
  });
});

describe("readNetrc", () => {
  async function netrcWith(text: string, mode: number) {
    const dir = await mkdtemp(join(tmpdir(), "confl-netrc-"));
    const path = join(dir, "netrc");
    await writeFile(path, text);
    await chmod(path, mode);
    return { env: { NETRC: path, HOME: dir }, path };
  }

  it("uses $NETRC, accepts a URL or host:port, and reports a private file as safe", async () => {
    const { env, path } = await netrcWith("machine dc.example.com login u password fake-netrc-pw\n", 0o600);
    const entry = await readNetrc("https://dc.example.com:8443/confluence/display/X", env);
    expect(entry).toEqual({
      login: "u",
      password: "fake-netrc-pw",
      path,
      isDefault: false,
      insecurePermissions: false,
    });
    expect((await readNetrc("dc.example.com:8443", env))?.login).toBe("u");
  });

  it("flags a group- or world-readable file", async () => {
    const { env } = await netrcWith("machine dc.example.com login u password fake-netrc-pw\n", 0o644);
    expect((await readNetrc("dc.example.com", env))?.insecurePermissions).toBe(true);
  });

  it("falls back to ~/.netrc and returns undefined when there is no file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "confl-netrc-home-"));
    expect(await readNetrc("dc.example.com", { HOME: dir })).toBeUndefined();
    await writeFile(join(dir, ".netrc"), "machine dc.example.com login home password fake-home-pw\n", {
      mode: 0o600,
    });
    expect((await readNetrc("dc.example.com", { HOME: dir }))?.login).toBe("home");
  });
});
