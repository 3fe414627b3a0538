// Browsers ask for /favicon.ico on every page; answer cheaply instead of rendering a 404 page.
export function loader() {
  return new Response(null, { status: 204, headers: { "Cache-Control": "public, max-age=86400" } });
}
