import type { ConfigProviderProps } from "antd";

/**
 * Ant Design's configuration for the console: its theme and buttons. The console's pages render in
 * it (AppProviders.tsx), and the build renders the components' styles ahead in it
 * (web/antd-styles.ts): the styles' hashes come from this theme, so both must use this one object.
 */
export const ANTD_CONFIG = {
  button: { autoInsertSpace: false },
  // The components take the page's fonts (styles.css), whose list names the Chinese ones: Ant
  // Design's own list names none, and each of its text sizes then searched the system for them.
  theme: { token: { colorPrimary: "#1f5fbf", borderRadius: 6, fontFamily: "inherit" } },
} as const satisfies ConfigProviderProps;
