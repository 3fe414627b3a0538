import { Marked } from "marked";
import sanitizeHtml from "sanitize-html";
import { imageUrlAllowed } from "./image-hosts.server";

const marked = new Marked({ gfm: true, breaks: false, async: false });

/**
 * A path on this server, parsed as a browser would (blanks, tabs and case do not hide a scheme or a host). Judged
 * against an http and an https page, since "https:\\host/x" is relative on one and another host's URL on the other.
 */
function sameOrigin(src: string): boolean {
  return ["http://faultline.invalid", "https://faultline.invalid"].every((base) => {
    try {
      return new URL(src, base).origin === base;
    } catch {
      return false;
    }
  });
}

// marked does not sanitize: its output goes through this allowlist. No scripts, styles, event handlers,
// or URL schemes other than these; images only from this server or an allowed image host (the CSP's img-src):
// any other image becomes a link to it, so no reader's browser fetches a third party's pixel on its own.
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "pre", "code", "span",
    "ul", "ol", "li", "strong", "em", "del", "s", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "input", "sup", "sub", "details", "summary", "kbd",
  ],
  allowedAttributes: {
    a: ["href", "title", "rel"],
    img: ["src", "alt", "title"],
    code: ["class"],
    th: ["align"],
    td: ["align"],
    input: ["type", "checked", "disabled"],
    ol: ["start"],
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ["http", "https", "mailto"],
  allowedSchemesByTag: { img: ["http", "https"] },
  allowProtocolRelative: false,
  transformTags: {
    a: sanitizeHtml.simpleTransform("a", { rel: "noopener noreferrer nofollow" }),
    img: (tagName, attribs) => {
      const src = attribs.src ?? "";
      if (sameOrigin(src) || imageUrlAllowed(src)) return { tagName, attribs };
      return {
        tagName: "a",
        attribs: { href: src, rel: "noopener noreferrer nofollow", title: "Image from a host not allowed in Settings, not loaded" },
        text: attribs.alt || "image",
      };
    },
    input: (tagName, attribs) =>
      attribs.type === "checkbox"
        ? { tagName, attribs: { type: "checkbox", disabled: "", ...(attribs.checked !== undefined ? { checked: "" } : {}) } }
        : { tagName: "span", attribs: {} },
  },
};

/** Markdown to safe HTML. The only producer of strings given to dangerouslySetInnerHTML. */
export function renderMarkdown(md: string): string {
  const html = marked.parse(md) as string;
  return sanitizeHtml(html, SANITIZE);
}
