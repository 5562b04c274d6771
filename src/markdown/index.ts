/**
 * Markdown ↔ Confluence storage format. Pure functions: strings in, strings and a report out; no I/O,
 * no network. Loaded lazily (it pulls in unified and htmlparser2), so import it with `await import()`.
 */
export { FrontMatterError, parseFrontMatter, serializeFrontMatter } from "./front-matter.js";
export { markdownToStorage } from "./markdown-to-storage.js";
export { storageToMarkdown } from "./storage-to-markdown.js";
export * from "./types.js";
export { checkStorage, type XmlProblem } from "./xml.js";
