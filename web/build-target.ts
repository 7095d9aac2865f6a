/**
 * The browsers the build's JavaScript and CSS are written for (Vite's `build.target`, esbuild's
 * names). The phone apps must run in the browsers built into WeChat and Android phones: WeChat's
 * own engine on Android and the system WebView of phones that never update it are Chromium 79-era
 * and older, and WeChat on iOS is the Safari of the phone's iOS, 13 on the oldest iPhones still in
 * use. Chrome 79 and Safari 13 share ES2019 and, of ES2020, `import.meta` and dynamic imports, which
 * the app's chunks need; what they lack (optional chaining `?.`, nullish coalescing `??`, static
 * class fields on Safari) the build lowers. See docs/decisions/0031-phone-apps-plain-and-built-for-old-webviews.md.
 */
export const BUILD_TARGET = ["chrome79", "safari13", "edge79", "firefox72"];

/** The phone apps' pages in the build; their JavaScript is checked against BUILD_TARGET. */
export const PHONE_APP_PAGES = ["resident.html", "field.html"] as const;
