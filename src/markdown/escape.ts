/**
 * A faster `state.safe` for mdast-util-to-markdown, with the same output.
 *
 * `safe` escapes a piece of text: for each of its ~45 unsafe patterns (`*`, `_`, `#` at a line start,
 * `|` in a table cell, `.` after a number at a line start, …) it checks the construct stack and runs the
 * pattern's regular expression over the text. Most of storage → Markdown's time went there (half of it
 * on a page of tables and lists). Each pattern's expression matches its `character` literally, so a
 * pattern whose character does not occur in the text (with the characters before and after it that
 * `safe` looks at) cannot match: here `safe` is called with only the patterns whose characters occur,
 * and text with none of them and no backslash comes back as it is, which is what `safe` returns for it.
 */
import type { State, Unsafe } from "mdast-util-to-markdown";

type Safe = State["safe"];

export function installFastSafe(state: State): void {
  const original: Safe = state.safe;
  let indexedFor: Unsafe[] | undefined;
  let indexedLength = -1;
  /** the bit of each pattern character (by char code, ASCII only), -1 for other characters */
  const bit = new Int8Array(128);
  let usable = false;
  let byMask = new Map<number, Unsafe[]>();

  const index = (patterns: Unsafe[]) => {
    indexedFor = patterns;
    indexedLength = patterns.length;
    byMask = new Map();
    bit.fill(-1);
    usable = true;
    let next = 0;
    for (const pattern of patterns) {
      const code = pattern.character.charCodeAt(0);
      if (pattern.character.length !== 1 || code >= 128) {
        usable = false;
        return;
      }
      // text with a backslash goes to safe with every pattern (below)
      if (code === BACKSLASH) continue;
      // bits 0..30, so a mask stays positive and -1 is free to mean "has a backslash"; characters past
      // the 31st share bit 30 (a bit then stands for "one of these": more patterns, the same result)
      if (bit[code] === -1) bit[code] = Math.min(next++, 30);
    }
  };

  /** The pattern characters in `text` as a mask, or -1 if it has a backslash. */
  const scan = (text: string, mask: number): number => {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === BACKSLASH) return -1;
      if (code < 128) {
        const b = bit[code]!;
        if (b !== -1) mask |= 1 << b;
      }
    }
    return mask;
  };

  state.safe = function fastSafe(this: State, input, config) {
    const all = state.unsafe;
    if (all !== indexedFor || all.length !== indexedLength) index(all);
    if (!usable) return original.call(this, input, config);
    const value = input || "";
    let mask = scan(config.before || "", 0);
    if (mask >= 0) mask = scan(value, mask);
    if (mask >= 0) mask = scan(config.after || "", mask);
    // backslashes are escaped by safe's own pass, whatever the patterns say: leave them to it
    if (mask < 0) return original.call(this, input, config);
    if (mask === 0) return value;
    let patterns = byMask.get(mask);
    if (patterns === undefined) {
      patterns = all.filter((p) => {
        const b = bit[p.character.charCodeAt(0)]!;
        return b !== -1 && (mask & (1 << b)) !== 0;
      });
      byMask.set(mask, patterns);
    }
    state.unsafe = patterns;
    try {
      return original.call(this, input, config);
    } finally {
      state.unsafe = all;
    }
  };
}

const BACKSLASH = 92;
