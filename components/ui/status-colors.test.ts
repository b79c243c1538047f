/**
 * WCAG AA check of the palette in app/globals.css: every state's text colour against its badge tint and the page
 * surfaces, and the text-on-fill pairs of controls, in both themes (≥ 4.5:1, the AA minimum for normal text).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stepStatus, taskStatus } from '@/db/schema/engine';
import { stateAppearance } from './status';

const stepStates = stepStatus.enumValues;
const taskStates = taskStatus.enumValues;

const css = readFileSync(path.join(import.meta.dirname, '../../app/globals.css'), 'utf8');

/** `--color-<name>: light-dark(#light, #dark)` → [light, dark]. */
function token(name: string): [string, string] {
  const match = new RegExp(`--color-${name}:\\s*light-dark\\((#[0-9a-f]{6}),\\s*(#[0-9a-f]{6})\\)`, 'i').exec(css);
  if (!match?.[1] || !match[2]) throw new Error(`token --color-${name} missing or not light-dark(#rrggbb, #rrggbb)`);
  return [match[1], match[2]];
}

/** Relative luminance per WCAG 2.x. */
function luminance(hex: string): number {
  const value = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [value >> 16, (value >> 8) & 0xff, value & 0xff].map((channel) => {
    const c = channel / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

const themes = [
  { name: 'light', index: 0 },
  { name: 'dark', index: 1 },
] as const;

describe('contrast helper', () => {
  it('matches the WCAG reference values', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    // #767676 on white is the well-known lightest grey that passes AA (4.54:1).
    expect(contrast('#767676', '#ffffff')).toBeGreaterThan(4.5);
    expect(contrast('#777777', '#ffffff')).toBeLessThan(4.5);
  });
});

describe.each(themes)('$name theme', ({ index }) => {
  const backgrounds = ['background', 'surface', 'surface-muted'];

  it.each(stepStates)('state %s is readable on its tint and on every surface', (state) => {
    const name = `status-${state.replaceAll('_', '-')}`;
    const text = token(name)[index];
    for (const background of [`${name}-tint`, ...backgrounds]) {
      expect(contrast(text, token(background)[index]), `${name} on ${background}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it.each([
    ['foreground', 'background'],
    ['foreground', 'surface'],
    ['foreground-muted', 'background'],
    ['foreground-muted', 'surface'],
    ['foreground-muted', 'surface-muted'],
    ['link', 'surface'],
    ['accent-foreground', 'accent'],
    ['danger-foreground', 'danger'],
  ])('%s on %s passes AA', (text, background) => {
    expect(contrast(token(text)[index], token(background)[index])).toBeGreaterThanOrEqual(4.5);
  });
});

describe('state appearance', () => {
  it('covers every task state with the step palette', () => {
    for (const state of taskStates) expect(stepStates).toContain(state);
  });

  it.each(stepStates)('%s uses its own colour tokens and has a text label', (state) => {
    const name = `status-${state.replaceAll('_', '-')}`;
    const { className, label } = stateAppearance[state];
    expect(className.split(' ')).toEqual(expect.arrayContaining([`text-${name}`, `bg-${name}-tint`]));
    expect(label.trim().length).toBeGreaterThan(0);
  });
});
