/**
 * Reading storage XML into a DOM that keeps what matters: htmlparser2 in XML mode keeps `ac:`/`ri:`
 * element names, self-closing tags and CDATA (an HTML parser turns `<![CDATA[` into a comment and cuts
 * code at the first `>`; dependencies.md §5). Entities are left encoded by the parser and decoded here
 * with HTML's names, since XML mode knows only the five XML ones.
 */
import type { ChildNode, Document, Element } from "domhandler";
import { parseDocument } from "htmlparser2";
import { cdata, decodeEntities, repairText } from "./xml.js";

export type { ChildNode, Element };

export function parseStorage(storage: string): Document {
  return parseDocument(storage, {
    xmlMode: true,
    recognizeCDATA: true,
    recognizeSelfClosing: true,
    decodeEntities: false,
    withStartIndices: true,
    withEndIndices: true,
  });
}

export function isElement(node: ChildNode): node is Element {
  return node.type === "tag" || node.type === "script" || node.type === "style";
}

export function attr(el: Element, name: string): string | undefined {
  const raw = el.attribs[name];
  return raw === undefined ? undefined : decodeEntities(raw);
}

export function childElements(el: Element): Element[] {
  return el.children.filter(isElement);
}

export function firstChild(el: Element, name: string): Element | undefined {
  return el.children.find((c): c is Element => isElement(c) && c.name === name);
}

/** The text an element holds: text decoded, CDATA as is, elements' text in order. */
export function textContent(node: ChildNode): string {
  const parts: string[] = [];
  const stack: ChildNode[] = [node];
  while (stack.length) {
    const current = stack.pop()!;
    if (current.type === "text") parts.push(decodeEntities(current.data));
    else if (current.type === "cdata") {
      for (const child of current.children) if (child.type === "text") parts.push(child.data);
    } else if ("children" in current) {
      for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i]!);
    }
  }
  return parts.join("");
}

export function openTag(el: Element, selfClose = false): string {
  let out = `<${el.name}`;
  for (const [name, raw] of Object.entries(el.attribs)) out += ` ${name}="${repairAttribute(raw)}"`;
  return `${out}${selfClose ? "/>" : ">"}`;
}

function repairAttribute(raw: string): string {
  return repairText(raw).replace(/"/g, "&quot;");
}

/**
 * Well-formed XML for a node parsed from malformed input (unclosed tags closed, bare `&` escaped).
 * Iterative, so a hostile nesting depth cannot overflow the stack.
 */
export function serialize(node: ChildNode): string {
  const out: string[] = [];
  type Frame = { node: ChildNode } | { close: string };
  const stack: Frame[] = [{ node }];
  while (stack.length) {
    const frame = stack.pop()!;
    if ("close" in frame) {
      out.push(frame.close);
      continue;
    }
    const current = frame.node;
    if (current.type === "text") out.push(repairText(current.data));
    else if (current.type === "cdata") {
      out.push(cdata(current.children.map((c) => (c.type === "text" ? c.data : "")).join("")));
    } else if (current.type === "comment") out.push(`<!--${current.data.replace(/--/g, "- -")}-->`);
    else if (isElement(current)) {
      if (current.children.length === 0) out.push(openTag(current, true));
      else {
        out.push(openTag(current));
        stack.push({ close: `</${current.name}>` });
        for (let i = current.children.length - 1; i >= 0; i--) stack.push({ node: current.children[i]! });
      }
    }
  }
  return out.join("");
}
