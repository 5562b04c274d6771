/** Opening local files for upload: every file is checked before anything is sent. */
import { type FileHandle, open } from "node:fs/promises";
import { basename, extname } from "node:path";
import { UsageError } from "../../errors.js";

export interface LocalFile {
  path: string;
  filename: string;
  contentType: string;
  handle: FileHandle;
  size: number;
}

const MEDIA_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".svg": "image/svg+xml",
  ".webp": "image/webp",
  ".pdf": "application/pdf",
  ".txt": "text/plain",
  ".md": "text/markdown",
  ".csv": "text/csv",
  ".json": "application/json",
  ".xml": "application/xml",
  ".html": "text/html",
  ".zip": "application/zip",
  ".gz": "application/gzip",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  ".mp4": "video/mp4",
};

export function mediaTypeFor(name: string): string {
  return MEDIA_TYPES[extname(name).toLowerCase()] ?? "application/octet-stream";
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return error instanceof Error ? error.message : String(error);
}

/** Opens every file for reading; on the first that cannot be read, closes the rest and throws (exit 2). */
export async function openLocalFiles(paths: string[]): Promise<LocalFile[]> {
  const opened: LocalFile[] = [];
  try {
    for (const path of paths) {
      let handle: FileHandle;
      try {
        handle = await open(path, "r");
      } catch (error) {
        throw new UsageError(`cannot read ${path}: ${reason(error)}`, { code: "usage.file" });
      }
      const stat = await handle.stat();
      if (!stat.isFile()) {
        await handle.close();
        throw new UsageError(
          `cannot read ${path}: ${stat.isDirectory() ? "is a directory" : "not a regular file"}`,
          {
            code: "usage.file",
          },
        );
      }
      const filename = basename(path);
      opened.push({ path, filename, contentType: mediaTypeFor(filename), handle, size: stat.size });
    }
    const names = new Map<string, string>();
    for (const file of opened) {
      const other = names.get(file.filename);
      if (other !== undefined)
        throw new UsageError(`${other} and ${file.path} would both be attached as ${file.filename}`, {
          code: "usage.file",
          hint: "a page holds one attachment per file name; upload them separately or rename one",
        });
      names.set(file.filename, file.path);
    }
    return opened;
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

export async function closeAll(files: LocalFile[]): Promise<void> {
  await Promise.all(files.map((file) => file.handle.close().catch(() => {})));
}
