/** Every sentence a student or instructor reads exists in each supported locale. */
export const LOCALES = ['es', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export type Text = { readonly es: string; readonly en: string };

export function t(es: string, en: string): Text {
  return { es, en };
}

/** The same words in every locale (code, paths, numbers). */
export function same(s: string): Text {
  return { es: s, en: s };
}

export function join(parts: readonly Text[], sep = ' '): Text {
  return {
    es: parts.map((p) => p.es).join(sep),
    en: parts.map((p) => p.en).join(sep),
  };
}

export function say(text: Text, locale: Locale): string {
  return text[locale];
}

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

/** Seconds read by people: "120 s", "2.5 s". */
export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

export function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}
