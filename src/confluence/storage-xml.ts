/**
 * Well-formedness of a storage-format body, checked before anything is sent: Confluence rejects a
 * malformed body with a 400 after the request (or, worse, stores a mangled one), and `page update`
 * must not half-write. Storage is an XHTML *fragment*, so three things differ from a strict XML
 * document parser (which is why no off-the-shelf strict parser fits as is, dependencies.md §5):
 * - several top-level elements and top-level text are fine (Confluence wraps the fragment itself);
 * - the `ac:`, `ri:` and `at:` prefixes come without namespace declarations (Confluence declares them);
 * - the XHTML 1.0 named entities (`&nbsp;`, `&mdash;`, … the lat1, symbol and special sets Confluence's
 *   XHTML parser knows) are allowed besides XML's five; any other name is an error, as it is there.
 * Everything else is XML 1.0 (§2.2 characters, §2.3 names, §2.4–2.8 text, comments, CDATA, PIs,
 * §3.1 tags and attributes, §4.1 references). A DOCTYPE is refused: storage has none.
 */

export interface StorageProblem {
  /** what is wrong, e.g. `</p> closes <strong> (opened at line 1, column 4)` */
  reason: string;
  line: number;
  column: number;
}

const XHTML_ENTITIES = new Set(
  // xhtml-lat1.ent
  (
    "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 " +
    "sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc " +
    "Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve " +
    "Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute " +
    "acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde " +
    "ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml " +
    // xhtml-symbol.ent
    "fnof Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho Sigma " +
    "Tau Upsilon Phi Chi Psi Omega alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu " +
    "xi omicron pi rho sigmaf sigma tau upsilon phi chi psi omega thetasym upsih piv bull hellip prime " +
    "Prime oline frasl weierp image real trade alefsym larr uarr rarr darr harr crarr lArr uArr rArr dArr " +
    "hArr forall part exist empty nabla isin notin ni prod sum minus lowast radic prop infin ang and or " +
    "cap cup int there4 sim cong asymp ne equiv le ge sub sup nsub sube supe oplus otimes perp sdot " +
    "lceil rceil lfloor rfloor lang rang loz spades clubs hearts diams " +
    // xhtml-special.ent (with XML's own five)
    "quot amp lt gt apos OElig oelig Scaron scaron Yuml circ tilde ensp emsp thinsp zwnj zwj lrm rlm " +
    "ndash mdash lsquo rsquo sbquo ldquo rdquo bdquo dagger Dagger permil lsaquo rsaquo euro"
  ).split(" "),
);

// XML 1.0 §2.3 NameStartChar / NameChar (the colon is handled separately: at most one, as a prefix).
const NAME_START =
  "A-Za-z_\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
const NCNAME = `[${NAME_START}][${NAME_CHAR}]*`;
const QNAME = new RegExp(`^${NCNAME}(?::${NCNAME})?$`, "u");
const NAME_AT = new RegExp(`[${NAME_START}:][${NAME_CHAR}:]*`, "uy");
// §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
const NOT_A_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const SPACE = /[ \t\r\n]/;

/** The first problem in `xml` as storage format, or null when it is well-formed. */
export function checkStorage(xml: string): StorageProblem | null {
  let i = 0;
  // Confluence declares ac:, ri: and at: around the fragment; a body may declare more with xmlns:p
  // (counted wherever it appears: storage bodies do not reuse a prefix for two namespaces).
  const prefixes = new Set(["ac", "ri", "at", "xml", "xmlns"]);
  for (const m of xml.matchAll(/\sxmlns:([^\s=:]+)\s*=/g)) prefixes.add(m[1]!);
  const unknownPrefix = (name: string) => {
    const colon = name.indexOf(":");
    return colon > 0 && !prefixes.has(name.slice(0, colon)) ? name.slice(0, colon) : undefined;
  };
  const open: Array<{ name: string; at: number }> = [];
  const problem = (reason: string, at: number): StorageProblem => ({ reason, ...position(xml, at) });

  const bad = NOT_A_CHAR.exec(xml);
  if (bad) {
    const code = bad[0].codePointAt(0) ?? 0;
    return problem(`U+${code.toString(16).toUpperCase().padStart(4, "0")} is not allowed in XML`, bad.index);
  }

  /** Checks one `&…;` reference at `at`; returns its length or a problem. */
  const reference = (at: number): number | StorageProblem => {
    const match = /&(?:#([0-9]+)|#x([0-9a-fA-F]+)|([^\s&;<>"']*))(;?)/y;
    match.lastIndex = at;
    const m = match.exec(xml)!;
    if (m[4] !== ";")
      return problem(`"&" must start an entity such as &amp; (write a literal & as &amp;)`, at);
    if (m[1] !== undefined || m[2] !== undefined) {
      const code = m[1] !== undefined ? Number.parseInt(m[1], 10) : Number.parseInt(m[2]!, 16);
      const char = code <= 0x10ffff ? String.fromCodePoint(code) : "\uFFFF";
      if (NOT_A_CHAR.test(char) || code > 0x10ffff)
        return problem(`${m[0]} is not a character XML allows`, at);
      return m[0].length;
    }
    const name = m[3] ?? "";
    if (!XHTML_ENTITIES.has(name)) {
      return problem(
        name === ""
          ? `"&" must start an entity such as &amp; (write a literal & as &amp;)`
          : `unknown entity &${name}; (storage knows XML's and XHTML 1.0's named entities; use a numeric one such as &#x2713;)`,
        at,
      );
    }
    return m[0].length;
  };

  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const textEnd = lt === -1 ? xml.length : lt;
    // text: references and no "]]>"
    for (let j = i; j < textEnd; j++) {
      const c = xml[j];
      if (c === "&") {
        const length = reference(j);
        if (typeof length !== "number") return length;
        j += length - 1;
      } else if (c === "]" && xml.startsWith("]]>", j)) {
        return problem(`"]]>" is not allowed in text (write ]]&gt;)`, j);
      }
    }
    if (lt === -1) break;
    i = lt;
    if (xml.startsWith("<!--", i)) {
      const end = xml.indexOf("-->", i + 4);
      if (end === -1) return problem("the comment is never closed with -->", i);
      const inner = xml.indexOf("--", i + 4);
      if (inner < end) return problem(`"--" is not allowed inside a comment`, inner);
      i = end + 3;
    } else if (xml.startsWith("<![CDATA[", i)) {
      const end = xml.indexOf("]]>", i + 9);
      if (end === -1) return problem("the CDATA section is never closed with ]]>", i);
      i = end + 3;
    } else if (xml.startsWith("<!", i)) {
      return problem(
        /^<!DOCTYPE/i.test(xml.slice(i, i + 9))
          ? "a DOCTYPE is not allowed in storage format"
          : `"<!" must start a comment <!-- … --> or a <![CDATA[ … ]]> section`,
        i,
      );
    } else if (xml.startsWith("<?", i)) {
      const end = xml.indexOf("?>", i + 2);
      if (end === -1) return problem("the processing instruction is never closed with ?>", i);
      i = end + 2;
    } else if (xml.startsWith("</", i)) {
      NAME_AT.lastIndex = i + 2;
      const name = NAME_AT.exec(xml)?.[0];
      if (!name) return problem(`"</" must be followed by an element name`, i);
      let j = i + 2 + name.length;
      while (j < xml.length && SPACE.test(xml[j]!)) j++;
      if (xml[j] !== ">") return problem(`</${name} must end with ">"`, j);
      const top = open.pop();
      if (!top) return problem(`</${name}> closes an element that was never opened`, i);
      if (top.name !== name) {
        const at = position(xml, top.at);
        return problem(`</${name}> closes <${top.name}> (opened at line ${at.line}, column ${at.column})`, i);
      }
      i = j + 1;
    } else {
      const result = startTag(i);
      if (typeof result !== "number") return result;
      i = result;
    }
  }
  const unclosed = open.pop();
  if (unclosed) return problem(`<${unclosed.name}> is never closed`, unclosed.at);
  return null;

  /** `<name attr="v" …>` or `…/>` at `at`; returns the index after it or a problem. */
  function startTag(at: number): number | StorageProblem {
    NAME_AT.lastIndex = at + 1;
    const name = NAME_AT.exec(xml)?.[0];
    if (!name) return problem(`"<" must start a tag (write a literal < as &lt;)`, at);
    if (!QNAME.test(name)) return problem(`<${name}> is not a valid element name`, at + 1);
    const prefix = unknownPrefix(name);
    if (prefix)
      return problem(
        `unknown namespace prefix ${prefix}: in <${name}> (storage knows ac:, ri: and at:)`,
        at + 1,
      );
    let j = at + 1 + name.length;
    const seen = new Set<string>();
    for (;;) {
      const spaceStart = j;
      while (j < xml.length && SPACE.test(xml[j]!)) j++;
      if (j >= xml.length) return problem(`<${name} is never closed with ">"`, at);
      if (xml[j] === ">") {
        open.push({ name, at });
        return j + 1;
      }
      if (xml.startsWith("/>", j)) return j + 2;
      if (j === spaceStart) return problem(`expected a space, ">" or "/>" in <${name}>`, j);
      NAME_AT.lastIndex = j;
      const attribute = NAME_AT.exec(xml)?.[0];
      if (!attribute || !QNAME.test(attribute)) return problem(`expected an attribute name in <${name}>`, j);
      if (seen.has(attribute)) return problem(`attribute ${attribute} appears twice in <${name}>`, j);
      const attributePrefix = unknownPrefix(attribute);
      if (attributePrefix)
        return problem(
          `unknown namespace prefix ${attributePrefix}: in ${attribute} (storage knows ac:, ri: and at:)`,
          j,
        );
      seen.add(attribute);
      j += attribute.length;
      while (j < xml.length && SPACE.test(xml[j]!)) j++;
      if (xml[j] !== "=") return problem(`attribute ${attribute} in <${name}> needs ="value"`, j);
      j++;
      while (j < xml.length && SPACE.test(xml[j]!)) j++;
      const quote = xml[j];
      if (quote !== '"' && quote !== "'")
        return problem(`the value of ${attribute} in <${name}> must be in quotes`, j);
      const end = xml.indexOf(quote, j + 1);
      if (end === -1) return problem(`the value of ${attribute} in <${name}> is never closed`, j);
      for (let k = j + 1; k < end; k++) {
        if (xml[k] === "<") return problem(`"<" is not allowed in an attribute value (write &lt;)`, k);
        if (xml[k] === "&") {
          const length = reference(k);
          if (typeof length !== "number") return length;
          k += length - 1;
        }
      }
      j = end + 1;
    }
  }
}

function position(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  // columns count characters (code points), as an editor shows them
  return { line, column: [...text.slice(lineStart, index)].length + 1 };
}
