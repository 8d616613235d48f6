/**
 * The UI's languages: the `lang` cookie, else the first of Accept-Language that we speak, else
 * English; and `t(key, values)` that fills `{name}` placeholders.
 *
 * @module
 */

import { en, type MessageKey, type Messages } from "./en.ts";
import { fr } from "./fr.ts";

/** Languages of the UI. */
export const LANGUAGES = ["en", "fr"] as const;
/** A language of the UI. */
export type Lang = typeof LANGUAGES[number];

const MESSAGES: Record<Lang, Messages> = { en, fr };

/** A translator: the string of `key` in one language, placeholders filled. */
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** True for a language the UI speaks. */
export function isLang(value: unknown): value is Lang {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** The language of a request: the cookie, else Accept-Language (`fr-CA,fr;q=0.9,en;q=0.8`), else en. */
export function chooseLang(cookie: string | undefined, acceptLanguage: string | undefined): Lang {
  if (isLang(cookie)) return cookie;
  const wanted = (acceptLanguage ?? "").split(",").map((part) => {
    const [tag, ...params] = part.trim().split(";");
    const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
    return { lang: tag.trim().slice(0, 2).toLowerCase(), q: q === undefined ? 1 : Number(q) };
  }).filter((entry) => entry.q > 0).sort((a, b) => b.q - a.q);
  return wanted.find((entry) => isLang(entry.lang))?.lang as Lang | undefined ?? "en";
}

/** The translator of `lang`. */
export function translator(lang: Lang): Translate {
  const messages = MESSAGES[lang];
  return (key, values) => {
    const text = messages[key] ?? en[key] ?? key;
    return values ? text.replace(/\{(\w+)\}/g, (all, name) => String(values[name] ?? all)) : text;
  };
}
