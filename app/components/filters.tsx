/** A choice of a list filter: a plain value, or [value, label] when the two differ. */
type Choice = string | readonly [value: string, label: string];

/** A list filter's drop-down. Its first choice, `any`, is the empty value: left there, nothing is filtered. */
export function FilterSelect({ name, label, value, any, choices }: { name: string; label: string; value: string; any: string; choices: readonly Choice[] }) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <select id={name} name={name} defaultValue={value}>
        <option value="">{any}</option>
        {choices.map((c) =>
          typeof c === "string" ? (
            <option key={c}>{c}</option>
          ) : (
            <option key={c[0]} value={c[0]}>
              {c[1]}
            </option>
          ),
        )}
      </select>
    </div>
  );
}

/** Checkboxes that share a name: each one ticked adds `name=value` to the URL; none ticked filters nothing. */
export function FilterCheckboxes<T extends string>({
  name,
  legend,
  values,
  checked,
  label = (v) => v,
}: {
  name: string;
  legend: string;
  values: readonly T[];
  checked: readonly T[];
  label?: (value: T) => string;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {values.map((v) => (
        <label key={v}>
          <input type="checkbox" name={name} value={v} defaultChecked={checked.includes(v)} /> {label(v)}
        </label>
      ))}
    </fieldset>
  );
}
