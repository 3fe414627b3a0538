/** A tiny browser stand-in for HTTP tests: keeps cookies, reads the CSRF token from pages, never follows redirects. */
export class Client {
  private cookies = new Map<string, string>();
  /** `headers` go with every request (e.g. a proxy's X-Forwarded-Proto). */
  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private remember(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a) || /expires=thu, 01 jan 1970/i.test(a.trim()));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.base + path, { redirect: "manual", headers: { ...this.headers, Cookie: this.cookieHeader(), ...headers } });
    this.remember(res);
    return res;
  }

  async html(path: string): Promise<{ res: Response; body: string }> {
    const res = await this.get(path);
    return { res, body: await res.text() };
  }

  /** Loads `page` to get a CSRF token, then posts `fields` to `action` (defaults to the page) as a form. */
  async submit(page: string, fields: Record<string, string | string[]>, action = page): Promise<Response> {
    const { body } = await this.html(page);
    const token = /name="csrf" value="([^"]+)"/.exec(body)?.[1];
    if (!token) throw new Error(`no CSRF token on ${page}`);
    return this.post(action, { csrf: token, ...fields });
  }

  async post(path: string, fields: Record<string, string | string[]>): Promise<Response> {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) form.append(k, one);
    const res = await fetch(this.base + path, {
      method: "POST",
      redirect: "manual",
      headers: { ...this.headers, Cookie: this.cookieHeader(), "Content-Type": "application/x-www-form-urlencoded" },
      body: form,
    });
    this.remember(res);
    return res;
  }
}

export const ADMIN = { name: "Ada Admin", email: "ada@example.com", password: "correct horse battery" };

const setupCodes = new Map<string, string>();

/** Keeps the setup code a server on an empty database printed at start (its JSON log line), by the server's URL. */
export function rememberSetupCode(base: string, startupOutput: string): void {
  const code = /"setupCode":"([^"]+)"/.exec(startupOutput)?.[1];
  if (code) setupCodes.set(base, code);
  else setupCodes.delete(base);
}

/** The setup code the server at `base` printed, as an operator reads it from the log. */
export function setupCodeFor(base: string): string {
  const code = setupCodes.get(base);
  if (!code) throw new Error(`the server at ${base} printed no setup code (not an empty database, or not started by startServer)`);
  return code;
}

/** Creates the first admin on a new install (with the setup code from its log) and returns a signed-in client. */
export async function setupAdmin(base: string): Promise<Client> {
  const client = new Client(base);
  const res = await client.submit("/setup", { ...ADMIN, setupCode: setupCodeFor(base) });
  if (res.status !== 302) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
  return client;
}

export async function signIn(base: string, email: string, password: string): Promise<Client> {
  const client = new Client(base);
  const res = await client.submit("/login", { email, password });
  if (res.status !== 302) throw new Error(`sign-in failed: ${res.status}`);
  return client;
}

/** Creates an incident through the new-incident form (blank optional fields unless given) and returns its id. */
export async function createIncidentByForm(client: Client, fields: Record<string, string>): Promise<number> {
  const blank = { team: "", detectionSource: "", detectedAt: "", mitigatedAt: "", resolvedAt: "", summary: "", impact: "" };
  return incidentIdFrom(await client.submit("/incidents/new", { ...blank, ...fields }));
}

/** The id from a redirect to /incidents/:id. */
export function incidentIdFrom(res: Response): number {
  const m = /\/incidents\/(\d+)$/.exec(res.headers.get("Location") ?? "");
  if (!m) throw new Error(`expected a redirect to an incident, got ${res.status} ${res.headers.get("Location")}`);
  return Number(m[1]);
}

/** Creates an API or webhook token through Settings (as an admin `client`) and returns its secret, shown once. */
export async function createToken(client: Client, scope: "api" | "webhook", name = `${scope}-token`): Promise<string> {
  const res = await client.submit("/settings/tokens", { intent: "create", name, scope });
  const secret = /<p class="secret">([^<]+)<\/p>/.exec(await res.text())?.[1];
  if (!secret) throw new Error(`token not created: ${res.status}`);
  return secret;
}
