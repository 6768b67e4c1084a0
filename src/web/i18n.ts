import type { IncomingMessage } from 'node:http';
import { isLocale, type Locale, type Text } from '../core/text.ts';

/**
 * The dashboard's words in each locale. A course page speaks the course's locale
 * (its `locale` in rubrica.yml); a page outside a course (sign-in, the course list)
 * the browser's first of es/en, else Spanish, the courses' default.
 * Each group of pages keeps its words in its own catalogue (pages.ts, …) added to
 * CATALOGUES below; `{name}` in a text is replaced by the value given for it.
 */
export type Catalogue = Readonly<Record<string, Text>>;

const base = {
  'app.name': { es: 'Rubrica', en: 'Rubrica' },
  'nav.courses': { es: 'Cursos', en: 'Courses' },
  'nav.overview': { es: 'Resumen', en: 'Overview' },
  'nav.weeks': { es: 'Semanas', en: 'Weeks' },
  'nav.skip': { es: 'Saltar al contenido', en: 'Skip to content' },
  'nav.main': { es: 'Navegación principal', en: 'Main navigation' },
  'nav.signedInAs': { es: 'Sesión de {login}', en: 'Signed in as {login}' },
  'auth.signIn': { es: 'Entrar con GitHub', en: 'Sign in with GitHub' },
  'auth.signOut': { es: 'Salir', en: 'Sign out' },
  'auth.signInTitle': { es: 'Entrar al panel del curso', en: 'Sign in to the course dashboard' },
  'auth.signInLead': {
    es: 'El panel es para el equipo docente: los dueños de la organización y los miembros del equipo de ayudantes del curso.',
    en: "The dashboard is for the teaching team: the organization's owners and the members of the course's TA team.",
  },
  'auth.notConfigured': {
    es: 'El inicio de sesión no está configurado: falta GITHUB_CLIENT_ID o GITHUB_CLIENT_SECRET (ver README, «Panel»).',
    en: 'Sign-in is not set up: GITHUB_CLIENT_ID or GITHUB_CLIENT_SECRET is missing (see the README, "Dashboard").',
  },
  'auth.failed': { es: 'GitHub no confirmó el inicio de sesión. Vuelve a intentarlo.', en: 'GitHub did not confirm the sign-in. Please try again.' },
  'auth.signedOut': { es: 'Saliste del panel.', en: 'You are signed out.' },
  'courses.title': { es: 'Tus cursos', en: 'Your courses' },
  'courses.none': { es: 'No eres parte del equipo docente de ningún curso registrado.', en: 'You are not on the teaching team of any recorded course.' },
  'error.403.title': { es: 'Sin acceso', en: 'No access' },
  'error.403.body': {
    es: 'Este curso solo lo ven los dueños de la organización {org} y los miembros activos de su equipo de ayudantes. Tu cuenta, {login}, no es ninguna de las dos.',
    en: 'This course is seen only by the owners of the {org} organization and the active members of its TA team. Your account, {login}, is neither.',
  },
  'error.404.title': { es: 'No encontrado', en: 'Not found' },
  'error.404.body': { es: 'No hay nada en esta dirección.', en: 'There is nothing at this address.' },
  'error.405.title': { es: 'Método no permitido', en: 'Method not allowed' },
  'error.csrf.title': { es: 'Solicitud rechazada', en: 'Request refused' },
  'error.csrf.body': {
    es: 'La solicitud no trae el código de esta sesión (protección CSRF). Vuelve a la página y envía el formulario otra vez.',
    en: "The request does not carry this session's code (CSRF protection). Go back to the page and send the form again.",
  },
  'error.503.title': { es: 'No se pudo comprobar tu acceso', en: 'Your access could not be checked' },
  'error.503.body': { es: 'GitHub no respondió al comprobar tu acceso. Vuelve a intentarlo en un momento.', en: 'GitHub did not answer when checking your access. Try again in a moment.' },
  'error.500.title': { es: 'Error del panel', en: 'Dashboard error' },
  'error.500.body': { es: 'Algo falló de nuestro lado. Quedó registrado.', en: 'Something failed on our side. It has been logged.' },
  'error.back': { es: 'Volver a tus cursos', en: 'Back to your courses' },
} satisfies Catalogue;

const catalogues: Catalogue[] = [base];

/** Adds a page group's words (call at module load; a key defined twice is a mistake, caught in tests). */
export function addCatalogue(catalogue: Catalogue): void {
  catalogues.push(catalogue);
}

export type Translate = (key: string, vars?: Readonly<Record<string, string | number>>) => string;

export function translator(locale: Locale): Translate {
  return (key, vars) => {
    let text: Text | undefined;
    for (let i = catalogues.length - 1; i >= 0 && !text; i--) text = catalogues[i]![key];
    // A missing key shows itself: visible in the screenshots and the tests, never a blank.
    const s = text ? text[locale] : key;
    return vars ? s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : s;
  };
}

/** Keys defined by more than one catalogue. */
export function duplicateKeys(): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const c of catalogues) for (const k of Object.keys(c)) (seen.has(k) ? twice.push(k) : seen.add(k));
  return twice;
}

/** The browser's preferred of our locales, else Spanish. */
export function browserLocale(req: IncomingMessage): Locale {
  for (const part of (req.headers['accept-language'] ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim().slice(0, 2).toLowerCase();
    if (isLocale(tag)) return tag;
  }
  return 'es';
}
