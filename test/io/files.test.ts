import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseMultipart } from "../../sim/respond.js";
import { multipartBody } from "../../src/io/multipart.js";
import {
  pathInside,
  safeFileName,
  writeBytesAtomically,
  writeFileAtomically,
} from "../../src/io/safe-file.js";

describe("safeFileName", () => {
  it.each([
    ["report.pdf", "report.pdf"],
    ["../../etc/passwd", ".._.._etc_passwd"],
    ["/abs/path", "_abs_path"],
    ["C:\\Windows\\x.dll", "C__Windows_x.dll"],
    ["a\u0000b", "a_b"],
    ["evil\u202Etxt.exe", "evil_txt.exe"],
    ["line\nbreak", "line_break"],
    ["..", "fallback"],
    [".", "fallback"],
    ["   ", "fallback"],
    ["name. . ", "name"],
    ["CON", "_CON"],
    ["nul.txt", "_nul.txt"],
    ["com1.log", "_com1.log"],
    ["console.log", "console.log"],
    ['what?<>|"*:', "what_______"],
    [".hidden", ".hidden"],
  ])("%j → %j", (title, safe) => {
    expect(safeFileName(title, "fallback")).toBe(safe);
  });

  it("cuts long names to 255 UTF-8 bytes and keeps the extension", () => {
    const name = safeFileName(`${"é".repeat(300)}.png`, "x");
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(name.endsWith(".png")).toBe(true);
  });

  it("pathInside refuses anything that is not a plain name in the directory", () => {
    expect(pathInside("/tmp/out", "a.txt")).toBe("/tmp/out/a.txt");
    for (const bad of ["../a", "/etc/passwd", "a/b", "..", "."])
      expect(() => pathInside("/tmp/out", bad)).toThrow();
  });
});

describe("writeFileAtomically", () => {
  it("writes through a temporary and renames; the target appears only when complete", async () => {
    const dir = mkdtempSync(join(tmpdir(), "confl-atomic-"));
    const target = join(dir, "out.bin");
    const n = await writeFileAtomically(target, Readable.from([Buffer.from("ab"), Buffer.from("cd")]), {
      expectedBytes: 4,
    });
    expect(n).toBe(4);
    expect(readFileSync(target, "utf8")).toBe("abcd");
    expect(readdirSync(dir)).toEqual(["out.bin"]);
  });

  it("a source that fails midway leaves neither the target nor a temporary; an existing file is kept", async () => {
    const dir = mkdtempSync(join(tmpdir(), "confl-atomic-"));
    const target = join(dir, "out.bin");
    writeFileSync(target, "old");
    async function* failing() {
      yield Buffer.alloc(1024 * 1024, 1);
      throw new Error("connection reset");
    }
    await expect(writeFileAtomically(target, Readable.from(failing()))).rejects.toThrow("connection reset");
    expect(readdirSync(dir)).toEqual(["out.bin"]);
    expect(readFileSync(target, "utf8")).toBe("old");
  });

  it("fewer bytes than announced is a failure, not a short file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "confl-atomic-"));
    const target = join(dir, "short.bin");
    await expect(
      writeFileAtomically(target, Readable.from([Buffer.from("abc")]), { expectedBytes: 10 }),
    ).rejects.toThrow(/received 3 bytes, the server announced 10/);
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("writeBytesAtomically", () => {
  it("replaces the target whole and leaves no temporary; a failed write keeps the old file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "confl-bytes-"));
    const target = join(dir, "page.md");
    writeFileSync(target, "old\n");
    await writeBytesAtomically(target, Buffer.from("new\n"), { syncDirectory: false });
    expect(readFileSync(target, "utf8")).toBe("new\n");
    expect(readdirSync(dir)).toEqual(["page.md"]);
    // the temporary cannot be created: nothing changes
    await expect(writeBytesAtomically(join(dir, "missing", "x.md"), Buffer.from("x"))).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["page.md"]);
    expect(readFileSync(target, "utf8")).toBe("new\n");
  });
});

describe("multipartBody", () => {
  it("Content-Length is exactly the bytes sent, and the parts parse back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "confl-mp-"));
    const path = join(dir, "f.bin");
    const bytes = Buffer.alloc(3 * 1024 * 1024 + 7, 0xab);
    writeFileSync(path, bytes);
    const handle = await open(path, "r");
    const sent: number[] = [];
    const body = multipartBody(
      [
        {
          name: "file",
          filename: 'we"ird\nname.bin',
          contentType: "application/octet-stream",
          handle,
          size: bytes.length,
        },
        { name: "minorEdit", value: "true" },
        { name: "comment", value: "ünïcode", contentType: "text/plain; charset=utf-8" },
      ],
      { onBytes: (n) => sent.push(n) },
    );
    const received = Buffer.from(await new Response(body.body).arrayBuffer());
    await handle.close();
    expect(received.length).toBe(body.contentLength);
    expect(sent.at(-1)).toBe(body.contentLength);
    const parts = parseMultipart(received, body.contentType)!;
    expect(parts.map((p) => p.name)).toEqual(["file", "minorEdit", "comment"]);
    expect(parts[0]!.filename).toBe("we%22ird%0Aname.bin");
    expect(parts[0]!.data.equals(bytes)).toBe(true);
    expect(parts[2]!.data.toString("utf8")).toBe("ünïcode");
  });

  it("a file that changes size while being sent fails instead of sending a wrong length", async () => {
    const dir = mkdtempSync(join(tmpdir(), "confl-mp-"));
    const path = join(dir, "f.bin");
    writeFileSync(path, Buffer.alloc(10));
    const handle = await open(path, "r");
    const body = multipartBody([{ name: "file", filename: "f.bin", contentType: "x/y", handle, size: 20 }]);
    await expect(new Response(body.body).arrayBuffer()).rejects.toThrow(/changed size/);
    await handle.close();
  });
});

describe("a server-named file never carries the credential", () => {
  it("the title is redacted before its characters are made safe (a '/' in a token would become '_')", async () => {
    const { clearRegisteredSecrets, registerSecret } = await import("../../src/redact.js");
    const token = "fake-name-canary-token-0001/Q+z";
    registerSecret(token, "a test token");
    try {
      const name = safeFileName(`Release me@example.com:${token}`, "fallback");
      expect(name).not.toContain("fake-name-canary");
      // "***", whose "*" Windows forbids, ends up as "___"
      expect(name).toBe("Release me@example.com____");
      // without the secret registered the same title keeps its text (only the '/' and ':' change)
      clearRegisteredSecrets();
      expect(safeFileName(`Release me@example.com:${token}`, "fallback")).toContain(
        "fake-name-canary-token-0001_Q+z",
      );
    } finally {
      clearRegisteredSecrets();
    }
  });
});
