/**
 * Line-at-a-time reading from stdin, shared by every reader in this process: the client secret
 * (--client-secret-stdin) and the pasted redirect URL of the headless flow may both come from one pipe,
 * and a second reader must get the second line, not whatever the first reader's buffer swallowed.
 */
import type { Readable } from "node:stream";

interface LineBuffer {
  lines: string[];
  partial: string;
  ended: boolean;
  waiters: Array<() => void>;
}

const buffers = new WeakMap<Readable, LineBuffer>();

function bufferFor(stream: Readable): LineBuffer {
  let buffer = buffers.get(stream);
  if (buffer) return buffer;
  const created: LineBuffer = { lines: [], partial: "", ended: false, waiters: [] };
  buffer = created;
  buffers.set(stream, created);
  const wake = () => {
    for (const waiter of created.waiters.splice(0)) waiter();
  };
  stream.setEncoding?.("utf8");
  stream.on("data", (chunk: string | Buffer) => {
    created.partial += chunk.toString();
    const parts = created.partial.split(/\r?\n/);
    created.partial = parts.pop() ?? "";
    created.lines.push(...parts);
    if (created.lines.length > 0) stream.pause();
    wake();
  });
  const end = () => {
    if (created.ended) return;
    created.ended = true;
    if (created.partial !== "") created.lines.push(created.partial);
    created.partial = "";
    wake();
  };
  stream.on("end", end);
  stream.on("close", end);
  stream.on("error", end);
  return created;
}

/** The next line (without its newline), or undefined at end of input. */
export async function readStdinLine(stream: Readable): Promise<string | undefined> {
  const buffer = bufferFor(stream);
  for (;;) {
    if (buffer.lines.length > 0) {
      const line = buffer.lines.shift();
      if (buffer.lines.length === 0 && !buffer.ended) stream.pause();
      return line;
    }
    if (buffer.ended) return undefined;
    await new Promise<void>((resolve) => {
      buffer.waiters.push(resolve);
      stream.resume();
    });
  }
}
