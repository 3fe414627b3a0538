/** A positive integer id from a route param, or a thrown 404. */
export function idParam(value: string | undefined, what = "Incident"): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Response(`${what} not found`, { status: 404 });
  return n;
}
