import Color from 'colorjs.io';

/*
 * The palettes in app/globals.css that an accent colour sits on. An author picks one accent; it is
 * used as is on the light palette and lightened for the dark one, so links and buttons keep WCAG AA
 * contrast in both.
 */
const LIGHT_SURFACE = '#f1f1ef';
const DARK_SURFACE = '#1b1e23';
const DARK_TEXT = '#121417';
export const MIN_CONTRAST = 4.5;

export const contrast = (a: string, b: string) => new Color(a).contrast(new Color(b), 'WCAG21');

/** The accent's contrast on the light palette's darkest surface; below MIN_CONTRAST it is refused. */
export const accentContrast = (hex: string) => contrast(hex, LIGHT_SURFACE);

/** The same hue, lightened in OKLCH until it reads on the dark palette (as the default accent does). */
function lightenForDark(hex: string): string {
  const color = new Color(hex).to('oklch');
  for (let lightness = Math.max(color.oklch.l ?? 0, 0.6); lightness <= 1; lightness += 0.02) {
    color.oklch.l = lightness;
    const candidate = color.clone().to('srgb').toGamut().toString({ format: 'hex', collapse: false });
    if (contrast(candidate, DARK_SURFACE) >= 7) return candidate;
  }
  return '#ffffff';
}

/** The CSS custom properties for an accent colour, for both colour schemes. */
export function accentPalette(hex: string) {
  const dark = lightenForDark(hex);
  return { light: { accent: hex, accentFg: '#ffffff' }, dark: { accent: dark, accentFg: DARK_TEXT } };
}
