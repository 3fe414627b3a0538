import { Link } from "@remix-run/react";

/** Previous/next page links that keep the current filters (`search`, the page's query string) in the URL. */
export function Pager({
  page,
  hasMore,
  search,
  labels = ["← Newer", "Older →"],
}: {
  page: number;
  hasMore: boolean;
  search: string;
  labels?: [previous: string, next: string];
}) {
  if (page <= 1 && !hasMore) return null;
  const to = (n: number) => {
    const p = new URLSearchParams(search);
    p.set("page", String(n));
    return `?${p}`;
  };
  return (
    <nav className="pager" aria-label="Pages">
      {page > 1 ? <Link to={to(page - 1)}>{labels[0]}</Link> : null}
      <span>Page {page}</span>
      {hasMore ? <Link to={to(page + 1)}>{labels[1]}</Link> : null}
    </nav>
  );
}
