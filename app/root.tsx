import { json, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLocation,
  useRouteLoaderData,
} from "@remix-run/react";
import { useEffect, useRef, type ReactNode } from "react";
import { CsrfInput } from "./components/csrf";
import { GeneralErrorBoundary } from "./components/error-boundary";
import { useNonce } from "./components/nonce";
import styles from "./styles.css";
import { getUser } from "./web/auth.server";
import { csrfToken } from "./utils/csrf.server";
import { hasRole } from "./utils/roles";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const { token, setCookie } = await csrfToken(request);
  return json(
    { user: user && { id: user.id, email: user.email, name: user.name, role: user.role }, csrf: token },
    { headers: setCookie ? { "Set-Cookie": setCookie } : {} },
  );
}

export default function App() {
  return <Outlet />;
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user;
  const nonce = useNonce();
  // With JavaScript, pages change without a reload: close the narrow-screen menu after each navigation.
  const menu = useRef<HTMLDetailsElement>(null);
  const { key } = useLocation();
  useEffect(() => {
    if (menu.current) menu.current.open = false;
  }, [key]);
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <header className="topbar">
          <Link to="/" className="brand">
            Faultline
          </Link>
          {user ? (
            <>
              <MainNav className="nav-wide" admin={hasRole(user, "admin")} />
              {/* Narrow screens: the same links behind a menu that opens without JavaScript. */}
              <details className="nav-menu" ref={menu}>
                <summary>Menu</summary>
                <MainNav admin={hasRole(user, "admin")} />
              </details>
              <Form method="post" action="/logout" className="signout">
                <CsrfInput />
                <Link to="/account/password" title={`${user.role}: change your password`}>{user.name}</Link>
                <button type="submit" className="link">
                  Sign out
                </button>
              </Form>
            </>
          ) : null}
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

function MainNav({ admin, className }: { admin: boolean; className?: string }) {
  return (
    <nav aria-label="Main" className={className}>
      <NavLink to="/my-work">My work</NavLink>
      <NavLink to="/incidents">Incidents</NavLink>
      <NavLink to="/actions">Action items</NavLink>
      <NavLink to="/alerts">Alerts</NavLink>
      <NavLink to="/models">Models</NavLink>
      <NavLink to="/taxonomy">Taxonomy</NavLink>
      <NavLink to="/insights">Insights</NavLink>
      {admin ? <NavLink to="/settings/users">Settings</NavLink> : null}
    </nav>
  );
}

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export const meta: MetaFunction = () => [{ title: "Faultline" }];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
