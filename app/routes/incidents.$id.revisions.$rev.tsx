import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { getRevision } from "~/domain/postmortems.server";
import { requireUser } from "~/web/auth.server";
import { formatUtc } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { renderMarkdown } from "~/utils/markdown.server";
import { idParam } from "~/utils/params";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request);
  const id = idParam(params.id);
  const rev = getRevision(getDb(), id, idParam(params.rev, "Revision"));
  if (!rev) throw new Response("Revision not found", { status: 404 });
  return { id, rev: rev.rev, author: rev.author, createdAt: rev.createdAt, html: renderMarkdown(rev.markdown) };
}

export default function Revision() {
  const r = useLoaderData<typeof loader>();
  return (
    <>
      <p>
        <Link to={`/incidents/${r.id}`}>← Back to the incident</Link>
      </p>
      <h1>Revision {r.rev}</h1>
      <p className="muted">
        Saved {formatUtc(r.createdAt)} by {r.author ?? "unknown"}
      </p>
      <article className="prose" dangerouslySetInnerHTML={{ __html: r.html }} />
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Postmortem revision · Faultline" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
