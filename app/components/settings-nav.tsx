import { NavLink } from "@remix-run/react";

export function SettingsNav() {
  return (
    <nav className="row subnav" aria-label="Settings">
      <NavLink to="/settings/users" end>
        Users
      </NavLink>
      <NavLink to="/settings/tokens">API tokens</NavLink>
      <NavLink to="/settings/deliveries">Webhook deliveries</NavLink>
      <NavLink to="/settings/notifications">Notifications</NavLink>
      <NavLink to="/settings/images">Images</NavLink>
      <NavLink to="/settings/audit">Audit log</NavLink>
    </nav>
  );
}
