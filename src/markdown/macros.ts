/**
 * Macro mappings shared by both directions.
 *
 * Panels ↔ GitHub alerts ("Info, Tip, Note, and Warning Macros"; GitHub's alert syntax
 * `> [!NOTE]`). By colour and icon: info (blue, i) = NOTE, tip (green, check) = TIP, note (yellow,
 * warning sign) = WARNING, warning (red, error sign) = CAUTION. GitHub's fifth kind, IMPORTANT, has no
 * panel of its own and is written as an info panel, so it reads back as NOTE.
 */
export const ALERT_FOR_PANEL: Record<string, string> = {
  info: "NOTE",
  tip: "TIP",
  note: "WARNING",
  warning: "CAUTION",
};

export const PANEL_FOR_ALERT: Record<string, string> = {
  NOTE: "info",
  TIP: "tip",
  WARNING: "note",
  CAUTION: "warning",
  IMPORTANT: "info",
};

/** Confluence's classic emoticon names (the `ac:name` of `<ac:emoticon>`) and the emoji they show. */
export const EMOTICONS: Record<string, string> = {
  smile: "🙂",
  sad: "🙁",
  cheeky: "😛",
  laugh: "😃",
  wink: "😉",
  "thumbs-up": "👍",
  "thumbs-down": "👎",
  information: "ℹ️",
  tick: "✅",
  cross: "❌",
  warning: "⚠️",
  plus: "➕",
  minus: "➖",
  question: "❓",
  "light-on": "💡",
  "light-off": "💡",
  "yellow-star": "⭐",
  "red-star": "⭐",
  "green-star": "⭐",
  "blue-star": "⭐",
  heart: "❤️",
  "broken-heart": "💔",
};

const META_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * Macro parameters as a fence's meta string: `title="Build script" linenumbers=true`. Undefined when a
 * parameter cannot be written so that it reads back the same.
 */
export function formatMeta(params: Map<string, string>): string | undefined {
  const parts: string[] = [];
  for (const [key, value] of params) {
    if (!META_KEY.test(key) || /[\n\r`]/.test(value)) return undefined;
    parts.push(/^[^\s"'=\\]+$/.test(value) ? `${key}=${value}` : `${key}=${JSON.stringify(value)}`);
  }
  return parts.join(" ");
}

export function parseMeta(meta: string | null | undefined): Map<string, string> {
  const params = new Map<string, string>();
  if (!meta) return params;
  const pattern = /([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|[^\s"]+)/g;
  for (const match of meta.matchAll(pattern)) {
    let value = match[2]!;
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        value = value.slice(1, -1);
      }
    }
    params.set(match[1]!, value);
  }
  return params;
}
