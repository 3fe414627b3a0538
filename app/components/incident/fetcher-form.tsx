import { Link, useFetcher, useRouteLoaderData } from "@remix-run/react";
import { useEffect, useRef, type MouseEvent, type ReactNode } from "react";
import type { loader as rootLoader } from "~/root";
import { CsrfInput } from "../csrf";

export type FormResult = { intent?: string; errors?: Record<string, string>; values?: Record<string, string> } | undefined;

/**
 * A form that posts without leaving the page when JavaScript runs (a fetcher; the page keeps its scroll and
 * focus, and the form clears after a success) and as a plain post otherwise (the action redirects back to the
 * section). `result` is the page's action data, for the no-JS round trip.
 */
export function InPlaceForm({
  action,
  intent,
  label,
  className,
  result,
  children,
}: {
  action?: string;
  intent: string;
  label?: string;
  className?: string;
  result?: FormResult;
  children: (errors: Record<string, string> | undefined, values: Record<string, string> | undefined) => ReactNode;
}) {
  const fetcher = useFetcher<FormResult>();
  const ref = useRef<HTMLFormElement>(null);
  const wasBusy = useRef(false);
  useEffect(() => {
    if (fetcher.state !== "idle") {
      wasBusy.current = true;
      return;
    }
    if (!wasBusy.current) return;
    wasBusy.current = false;
    if (fetcher.data?.errors) return;
    // Saved: empty the fields for the next entry and put the cursor back in the first one.
    ref.current?.reset();
    ref.current?.querySelector<HTMLElement>("input:not([type=hidden]), textarea, select")?.focus({ preventScroll: true });
  }, [fetcher.state, fetcher.data]);
  const own = fetcher.data ?? (result?.intent === intent ? result : undefined);
  return (
    <fetcher.Form method="post" action={action} ref={ref} className={className} aria-label={label} preventScrollReset>
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      {children(own?.errors, fetcher.data ? undefined : own?.values)}
      {fetcher.state !== "idle" ? <span className="muted" role="status"> Saving…</span> : null}
    </fetcher.Form>
  );
}

/**
 * An action that asks first (delete, dismiss): a link to a confirmation page without JavaScript; with it, a
 * dialog, then the same post the confirmation page makes.
 */
export function ConfirmLink({
  confirmUrl,
  action,
  question,
  label,
  busy,
  intent,
  fields = {},
}: {
  confirmUrl: string;
  action: string;
  question: string;
  label: string;
  busy: string;
  intent: string;
  fields?: Record<string, string>;
}) {
  const fetcher = useFetcher();
  const csrf = useRouteLoaderData<typeof rootLoader>("root")?.csrf ?? "";
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    e.preventDefault();
    if (!window.confirm(question)) return;
    fetcher.submit({ csrf, intent, ...fields }, { method: "post", action, preventScrollReset: true });
  };
  return (
    <Link to={confirmUrl} className="danger-link" onClick={onClick}>
      {fetcher.state !== "idle" ? busy : label}
    </Link>
  );
}

/** Delete, confirmed first; the history keeps what was deleted. */
export function DeleteButton({ confirmUrl, action, what }: { confirmUrl: string; action: string; what: string }) {
  return <ConfirmLink confirmUrl={confirmUrl} action={action} intent="delete" question={`Delete ${what}? The history keeps what it said.`} label="Delete" busy="Deleting…" />;
}
