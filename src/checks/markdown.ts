import { Lexer, type Token, type Tokens } from 'marked';
import { z } from 'zod';
import { globMatcher } from '../core/glob.ts';
import { GlobsSchema, globList, RegexSchema, TextSchema } from '../core/schemas.ts';
import { counted, join, listed, literal, noun, ofTotal, REQUIREMENTS, same, t, type Text } from '../core/text.ts';
import { creditOf, defineCheck, type ChecklistItem } from './types.ts';

const BADGES = noun('insignia (badge)', 'insignias (badges)', 'badge', 'badges');
const FOUND = noun('encontrada', 'encontradas', 'found', 'found');
const SECTIONS = noun('sección', 'secciones', 'section', 'sections');

const MarkdownParams = z.strictObject({
  file: GlobsSchema.default('README.md'),
  /** A level-1 title exists. */
  title: z.boolean().default(false),
  /** Sections, each found by any of its names (Spanish or English), accents and case ignored. */
  headings: z
    .array(z.strictObject({ label: TextSchema.optional(), anyOf: z.array(z.string().min(1)).min(1), level: z.number().int().min(1).max(6).optional() }))
    .default([]),
  badges: z.strictObject({ min: z.number().int().min(1), match: RegexSchema.optional() }).optional(),
  links: z.array(z.strictObject({ label: TextSchema.optional(), match: RegexSchema, min: z.number().int().min(1).default(1) })).default([]),
  minWords: z.number().int().min(1).optional(),
  partial: z.boolean().default(true),
});
type MarkdownParams = z.output<typeof MarkdownParams>;

/** Markdown headings, badges and links, read the way a TA skims a README. */
export const markdownCheck = defineCheck<MarkdownParams>({
  kind: 'markdown',
  params: MarkdownParams,
  requirements: (params) => ({ contents: globList(params.file) }),
  evaluate(params, evidence) {
    const matches = globMatcher(globList(params.file));
    // The shallowest match wins: README.md at the root before docs/README.md.
    const doc = [...evidence.contents.values()]
      .filter((c) => matches(c.path))
      .sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path))[0];
    const name = globList(params.file)[0]!;
    if (!doc) {
      return {
        fraction: 0,
        message: t(`No encontré ${literal(name)}: créalo en la raíz del repositorio.`, `${literal(name)} was not found: create it at the root of the repository.`),
      };
    }
    const tokens = new Lexer().lex(doc.text);
    const headings: Tokens.Heading[] = [];
    const images: string[] = [];
    const links: string[] = [];
    walkTokens(tokens, (token) => {
      if (token.type === 'heading') headings.push(token as Tokens.Heading);
      else if (token.type === 'image') images.push((token as Tokens.Image).href);
      else if (token.type === 'link') links.push((token as Tokens.Link).href);
      else if (token.type === 'html') {
        for (const m of token.raw.matchAll(/<img[^>]+src=["']([^"']+)["']/gi)) images.push(m[1]!);
        for (const m of token.raw.matchAll(/<a[^>]+href=["']([^"']+)["']/gi)) links.push(m[1]!);
      }
    });
    const items: ChecklistItem[] = [];
    if (params.title) {
      const h1 = headings.find((h) => h.depth === 1);
      items.push({ label: t('un título (`# …`)', 'a title (`# …`)'), ok: Boolean(h1) });
    }
    for (const wanted of params.headings) {
      const names = wanted.anyOf.map(normalize);
      const found = headings.find((h) => (wanted.level === undefined || h.depth === wanted.level) && names.some((n) => containsWords(normalize(h.text), n)));
      items.push({
        label: wanted.label ?? t(`sección «${wanted.anyOf[0]}»`, `section "${wanted.anyOf[0]}"`),
        ok: Boolean(found),
        ...(found ? { note: same(literal(`${'#'.repeat(found.depth)} ${found.text}`)) } : { note: t(`p. ej. \`## ${wanted.anyOf[0]}\``, `e.g. \`## ${wanted.anyOf[1] ?? wanted.anyOf[0]}\``) }),
      });
    }
    if (params.badges) {
      const pattern = params.badges.match ? new RegExp(params.badges.match, 'iu') : /badge|shields\.io|\/badge\.svg/i;
      const count = images.filter((src) => pattern.test(src)).length;
      items.push({
        label: t(`al menos ${counted(params.badges.min, BADGES).es}`, `at least ${counted(params.badges.min, BADGES).en}`),
        ok: count >= params.badges.min,
        note: counted(count, FOUND),
      });
    }
    const bareUrls = [...doc.text.matchAll(/https?:\/\/[^\s)<>\]"']+/g)].map((m) => m[0]);
    for (const wanted of params.links) {
      const pattern = new RegExp(wanted.match, 'iu');
      const count = new Set([...links, ...bareUrls].filter((href) => pattern.test(href))).size;
      items.push({
        label: wanted.label ?? t(`enlace a /${wanted.match}/`, `link to /${wanted.match}/`),
        ok: count >= wanted.min,
        ...(wanted.min > 1 ? { note: t(`${count} de ${wanted.min}`, `${count} of ${wanted.min}`) } : {}),
      });
    }
    if (params.minWords) {
      const words = doc.text.replace(/```[\s\S]*?```/g, ' ').split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;
      items.push({
        label: t(`al menos ${params.minWords} palabras`, `at least ${params.minWords} words`),
        ok: words >= params.minWords,
        note: t(`${words} palabras`, `${words} words`),
      });
    }
    const met = items.filter((i) => i.ok).length;
    const fraction = items.length === 0 ? 1 : creditOf(items, params.partial);
    const missing = items.filter((i) => !i.ok);
    const what = params.headings.length === items.length ? SECTIONS : REQUIREMENTS;
    const tally = ofTotal(met, items.length, what);
    const message =
      missing.length === 0
        ? t(`${literal(doc.path)} tiene todo lo pedido (${tally.es}).`, `${literal(doc.path)} has everything asked for (${tally.en}).`)
        : join([
            t(`${literal(doc.path)} tiene ${tally.es}.`, `${literal(doc.path)} has ${tally.en}.`),
            t(`Falta: ${listed(missing.map((i) => i.label)).es}.`, `Missing: ${listed(missing.map((i) => i.label)).en}.`),
          ]);
    return { fraction, message, items };
  },
});

/** Every token of marked's lexer, depth first: nested inline tokens, list items and table cells. */
export function walkTokens(tokens: readonly Token[], visit: (t: Token) => void): void {
  for (const token of tokens) {
    visit(token);
    const nested = (token as { tokens?: Token[] }).tokens;
    if (nested) walkTokens(nested, visit);
    if (token.type === 'list') for (const item of (token as Tokens.List).items) walkTokens(item.tokens, visit);
    if (token.type === 'table') {
      const table = token as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) walkTokens(cell.tokens, visit);
    }
  }
}

/** "## 2. Instalación 🚀" → "2 instalacion". */
export function normalize(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function containsWords(haystack: string, needle: string): boolean {
  return ` ${haystack} `.includes(` ${needle} `);
}
