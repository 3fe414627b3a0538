import { familyLabel } from "~/utils/labels";

export function FamilyBadge({ family }: { family: string | null | undefined }) {
  if (!family) return null;
  return <span className={`badge family-${family}`}>{familyLabel(family)}</span>;
}
