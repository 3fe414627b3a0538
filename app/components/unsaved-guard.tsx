import { useBeforeUnload, useBlocker } from "@remix-run/react";
import { useCallback, useEffect } from "react";

/**
 * While `dirty`, leaving the page asks first: links inside the app through a confirm dialog, closing or reloading
 * the tab through the browser's own prompt. Submitting the form itself is never blocked.
 */
export function useUnsavedWarning(dirty: boolean, message = "You have unsaved postmortem text. Leave without saving?") {
  const blocker = useBlocker(
    useCallback(
      ({ currentLocation, nextLocation }: { currentLocation: { pathname: string }; nextLocation: { pathname: string } }) =>
        dirty && currentLocation.pathname !== nextLocation.pathname,
      [dirty],
    ),
  );
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    if (window.confirm(message)) blocker.proceed();
    else blocker.reset();
  }, [blocker, message]);
  useBeforeUnload(
    useCallback(
      (e: BeforeUnloadEvent) => {
        if (!dirty) return;
        e.preventDefault();
        e.returnValue = message;
      },
      [dirty, message],
    ),
  );
}
