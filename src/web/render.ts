import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

/**
 * Server-side templates (src/web/views/*.eta) through Eta: autoEscape is on, so every
 * `<%= value %>` is HTML-escaped, and student text (commit messages, feedback, output)
 * is shown as text, never markup. `<%~ %>` (raw) is used only for our own partials'
 * output (include/layout body), never for a value. Templates are compiled once and cached.
 */
export const VIEWS_DIR = fileURLToPath(new URL('./views', import.meta.url));

export const eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true, autoTrim: [false, 'nl'] });

/** Renders `views/<name>.eta` with `data` as `it` (each view names its layout). */
export function renderView(name: string, data: object): string {
  return eta.render(`./${name}`, data);
}
