import { Form } from "@remix-run/react";
import type { CSSProperties, ReactNode } from "react";
import { CsrfInput } from "./csrf";
import { FormError } from "./field";

/** A POST form of a page with several forms: CSRF token, which form it is (`intent`), and its form-level error. */
export function IntentForm({
  intent,
  label,
  error,
  className,
  style,
  children,
}: {
  intent: string;
  label?: string;
  error?: string;
  className?: string;
  style?: CSSProperties;
  children: ReactNode;
}) {
  return (
    <Form method="post" className={className} style={style} aria-label={label}>
      <CsrfInput />
      <input type="hidden" name="intent" value={intent} />
      <FormError error={error} />
      {children}
    </Form>
  );
}

/** The header cell over a column of row buttons: named for screen readers, blank on screen. */
export function ActionsHeader() {
  return (
    <th>
      <span className="visually-hidden">Actions</span>
    </th>
  );
}
