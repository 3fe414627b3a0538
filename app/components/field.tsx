import type { ReactNode } from "react";

/** A labelled input with its error message under it (tied by aria-describedby). */
export function Field({
  label,
  name,
  error,
  hint,
  children,
}: {
  label: string;
  name: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className={error ? "field field--error" : "field"}>
      <label htmlFor={name}>{label}</label>
      {children}
      {hint ? <small className="hint">{hint}</small> : null}
      {error ? (
        <small className="error" id={`${name}-error`} role="alert">
          {error}
        </small>
      ) : null}
    </div>
  );
}

export function FormError({ error }: { error?: string }) {
  return error ? (
    <p className="form-error" role="alert">
      {error}
    </p>
  ) : null;
}
