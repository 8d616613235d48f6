/**
 * What every page receives: the translator and language, the theme, who is signed in, where the
 * page is, and the hashed URLs of the stylesheet and the island bundle.
 *
 * @module
 */

import type { User } from "../../storage/accounts/users.ts";
import type { Lang, Translate } from "./i18n/index.ts";

/** Themes: `auto` follows the browser's prefers-color-scheme. */
export const THEMES = ["auto", "light", "dark"] as const;
/** A theme. */
export type Theme = typeof THEMES[number];

/** URLs of the static assets (content-hashed). */
export interface Assets {
  css: string;
  /** The island bundle, or null when it could not be built (pages still work, without JavaScript). */
  js: string | null;
}

/** The page's surroundings. */
export interface PageContext {
  t: Translate;
  lang: Lang;
  theme: Theme;
  user: User | null;
  /** Path and query of the page (`/devices?q=plc`). */
  url: URL;
  assets: Assets;
  /** The appliance replays the demo capture. */
  demo: boolean;
}
