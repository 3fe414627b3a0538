import { createContext, useContext } from "react";

/**
 * This response's CSP nonce, provided by entry.server.tsx for the inline scripts Remix renders. In the browser it is
 * "": browsers hide nonces from the DOM, and scripts added after hydration are modules loaded from 'self'.
 */
export const NonceContext = createContext("");

export function useNonce(): string {
  return useContext(NonceContext);
}
