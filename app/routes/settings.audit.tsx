import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { SettingsNav } from "~/components/settings-nav";
import { listAudit } from "~/domain/audit.server";
import { formatUtc } from "~/utils/dates";
import { getDb } from "~/utils/db.server";
import { requireRole } from "~/web/permissions.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireRole(request, "admin");
  return { entries: listAudit(getDb(), { limit: 500 }) };
}

export default function Audit() {
  const { entries } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Settings</h1>
      <SettingsNav />
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>What</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>{formatUtc(e.at)}</td>
              <td>{e.actor}</td>
              <td>{e.action}</td>
              <td>{e.entity === "incident" ? <Link to={`/incidents/${e.entityId}`}>incident #{e.entityId}</Link> : `${e.entity} ${e.entityId}`}</td>
              <td>
                <code>{e.detail}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export const meta: MetaFunction = () => [{ title: "Audit log · Faultline" }];
