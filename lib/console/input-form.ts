/**
 * A start form generated from any pipeline's input schema: the schema → a plain description of fields (labels,
 * bounds, defaults, nesting) that a client component renders, and submitted form values → the pipeline input,
 * validated by the pipeline's own schema with each issue put, in words, on the field that caused it.
 *
 * The description is read from `z.toJSONSchema` (input side, so defaults are listed and fields with one are not
 * required) instead of zod internals: it is zod's public, stable view of a schema. Refinements do not appear there,
 * which is fine — the form only prefills and hints; the server validates with the real schema.
 */
import { z } from 'zod';
import type { StartFormHints } from '@/lib/platform/pipeline-module';

type JsonSchema = z.core.JSONSchema.JSONSchema;
type JsonSchemaOrBoolean = z.core.JSONSchema._JSONSchema;

interface FieldBase {
  /** The form control's name: the field's path joined with dots (`date_range.start_date`). */
  name: string;
  label: string;
  /** The schema's description when the label came from a title, and the bounds in words. */
  hint: string | null;
  /** No default and listed as required: an empty value is an error, not "use the default". */
  required: boolean;
}

export type InputFormField =
  | (FieldBase & { kind: 'number'; integer: boolean; min: number | null; max: number | null; defaultValue: number | null })
  | (FieldBase & {
      kind: 'text';
      inputType: 'text' | 'date' | 'month';
      pattern: string | null;
      minLength: number | null;
      maxLength: number | null;
      /** A date or month input's bounds (the pipeline's start form hints; JSON Schema has no date bounds). */
      min: string | null;
      max: string | null;
      defaultValue: string;
    })
  | (FieldBase & { kind: 'checkbox'; defaultValue: boolean })
  | (FieldBase & { kind: 'select'; options: string[]; defaultValue: string })
  /** An array of enum values: one checkbox per option. */
  | (FieldBase & { kind: 'checkboxes'; options: string[]; defaultValue: string[] })
  /** An array of free strings: one text input, items separated by commas or whitespace. */
  | (FieldBase & { kind: 'list'; pattern: string | null; defaultValue: string })
  /** Anything the form has no control for (unions, records …): JSON typed by hand. */
  | (FieldBase & { kind: 'json'; defaultValue: string })
  | (FieldBase & { kind: 'group'; fields: InputFormField[] });

export interface InputFormDescription {
  fields: InputFormField[];
}

/** `end_month` / `endMonth` → `End month`. */
export function humanizeFieldName(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const asSchema = (schema: JsonSchemaOrBoolean | undefined): JsonSchema => (typeof schema === 'object' ? schema : {});

/** A string pattern that reads YYYY-MM: accepts a month, refuses a day. */
function isMonthPattern(pattern: string): boolean {
  try {
    const regex = new RegExp(pattern);
    return regex.test('2026-01') && regex.test('1999-12') && !regex.test('2026-01-01') && !regex.test('2026');
  } catch {
    return false;
  }
}

const stringsOf = (values: JsonSchema['enum']): string[] | null =>
  values && values.every((value): value is string => typeof value === 'string') ? values : null;

function boundsHint(min: number | undefined, max: number | undefined, unit = ''): string | null {
  if (min !== undefined && max !== undefined) return `From ${min} to ${max}${unit}.`;
  if (min !== undefined) return `At least ${min}${unit}.`;
  if (max !== undefined) return `At most ${max}${unit}.`;
  return null;
}

function dateBoundsHint(min: string | undefined, max: string | undefined): string | null {
  if (min !== undefined && max !== undefined) return `From ${min} to ${max}.`;
  if (min !== undefined) return `Not before ${min}.`;
  if (max !== undefined) return `Not after ${max}.`;
  return null;
}

const joinHints = (...hints: (string | null)[]): string | null => hints.filter((hint): hint is string => Boolean(hint)).join(' ') || null;

/** The prefilled value at `path` (dot-separated) of an input-shaped object, if any. */
function prefillAt(prefill: unknown, path: string): unknown {
  let value: unknown = prefill;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function describeField(key: string, path: string, schema: JsonSchema, requiredByParent: boolean, hints: StartFormHints): InputFormField {
  // Required is the schema's say; a prefill only fills the control (and stands in for the schema's default there).
  const hasDefault = schema.default !== undefined;
  const prefilled = prefillAt(hints.prefill, path);
  if (prefilled !== undefined && typeof schema.type === 'string' && schema.type !== 'object') schema = { ...schema, default: prefilled };
  const titled = typeof schema.title === 'string' && schema.title.length > 0;
  const label = titled ? (schema.title ?? key) : (schema.description ?? humanizeFieldName(key));
  const described = titled && schema.description ? schema.description : null;
  const base = { name: path, label, required: requiredByParent && !hasDefault };
  const type = Array.isArray(schema.type) ? undefined : schema.type;

  if (type === 'object' && schema.properties) {
    const required = new Set(schema.required ?? []);
    const fields = Object.entries(schema.properties).map(([child, childSchema]) =>
      describeField(child, `${path}.${child}`, asSchema(childSchema), required.has(child), hints),
    );
    return { ...base, kind: 'group', hint: described, fields };
  }
  if (type === 'integer' || type === 'number') {
    const defaultValue = typeof schema.default === 'number' ? schema.default : null;
    return {
      ...base,
      kind: 'number',
      integer: type === 'integer',
      min: schema.minimum ?? null,
      max: schema.maximum ?? null,
      defaultValue,
      hint: joinHints(described, boundsHint(schema.minimum, schema.maximum)),
    };
  }
  if (type === 'boolean') return { ...base, kind: 'checkbox', defaultValue: schema.default === true, hint: described };
  if (type === 'string') {
    const options = stringsOf(schema.enum);
    const defaultValue = typeof schema.default === 'string' ? schema.default : '';
    if (options) return { ...base, kind: 'select', options, defaultValue, hint: described };
    const inputType = schema.format === 'date' ? 'date' : schema.pattern && isMonthPattern(schema.pattern) ? 'month' : 'text';
    const formatHint = inputType === 'month' ? 'A month, YYYY-MM.' : inputType === 'date' ? 'A day, YYYY-MM-DD.' : null;
    const bounds = inputType === 'text' ? undefined : hints.bounds?.[path];
    return {
      ...base,
      kind: 'text',
      inputType,
      // A date or month input brings its own format; the pattern would only repeat it (at length, for dates).
      pattern: inputType === 'text' ? (schema.pattern ?? null) : null,
      minLength: schema.minLength ?? null,
      maxLength: schema.maxLength ?? null,
      min: bounds?.min ?? null,
      max: bounds?.max ?? null,
      defaultValue,
      hint: joinHints(
        described,
        formatHint,
        inputType === 'text' ? boundsHint(schema.minLength, schema.maxLength, ' characters') : dateBoundsHint(bounds?.min, bounds?.max),
      ),
    };
  }
  if (type === 'array' && !Array.isArray(schema.items)) {
    const items = asSchema(schema.items);
    const options = stringsOf(items.enum);
    const defaults = Array.isArray(schema.default) ? schema.default.filter((item): item is string => typeof item === 'string') : [];
    const countHint = boundsHint(schema.minItems, schema.maxItems, ' items');
    if (options) return { ...base, kind: 'checkboxes', options, defaultValue: defaults, hint: joinHints(described, countHint) };
    if (items.type === 'string') {
      return {
        ...base,
        kind: 'list',
        pattern: items.pattern ?? null,
        defaultValue: defaults.join(', '),
        hint: joinHints(described, 'Separate items with commas.', countHint),
      };
    }
  }
  return { ...base, kind: 'json', defaultValue: schema.default !== undefined ? JSON.stringify(schema.default) : '', hint: joinHints(described, 'JSON.') };
}

/** The form for a pipeline's input schema (an object schema; anything else is one JSON field named `input`). */
export function describeInputForm(schema: z.ZodType, hints: StartFormHints = {}): InputFormDescription {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  if (json.type !== 'object' || !json.properties) return { fields: [describeField('input', 'input', json, true, hints)] };
  const required = new Set(json.required ?? []);
  return { fields: Object.entries(json.properties).map(([key, child]) => describeField(key, key, asSchema(child), required.has(key), hints)) };
}

/** What a submitted form carries: FormData as a plain object (a repeated name becomes an array). */
export type FormValues = Readonly<Record<string, string | string[] | undefined>>;

const firstValue = (value: string | string[] | undefined): string => (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();
const allValues = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** "#data-team, #exec" or one per line → ['#data-team', '#exec']. */
export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

type FieldErrors = Record<string, string[]>;

function addError(errors: FieldErrors, field: string, message: string): void {
  const list = errors[field] ?? [];
  if (!list.includes(message)) errors[field] = [...list, message];
}

/** Form values → the raw input the schema parses: empty means "not given" (so the schema's default applies). */
function rawValue(field: InputFormField, values: FormValues, errors: FieldErrors): unknown {
  const value = values[field.name];
  switch (field.kind) {
    case 'group':
      return Object.fromEntries(field.fields.map((child) => [child.name.slice(field.name.length + 1), rawValue(child, values, errors)]));
    case 'number': {
      const text = firstValue(value);
      return text === '' ? undefined : Number(text);
    }
    case 'checkbox':
      return value !== undefined;
    case 'checkboxes':
      return allValues(value);
    case 'list': {
      // Blank takes the default; separators alone ("  , ") are an explicitly empty list.
      const text = firstValue(value);
      return text === '' ? undefined : splitList(text);
    }
    case 'json': {
      const text = firstValue(value);
      if (text === '') return undefined;
      try {
        return JSON.parse(text);
      } catch {
        addError(errors, field.name, `${field.label} must be valid JSON.`);
        return undefined;
      }
    }
    case 'text':
    case 'select': {
      const text = firstValue(value);
      return text === '' ? undefined : text;
    }
  }
}

function flatten(fields: readonly InputFormField[]): InputFormField[] {
  return fields.flatMap((field) => (field.kind === 'group' ? [field, ...flatten(field.fields)] : [field]));
}

/** The field an issue belongs to: the one whose path is the longest prefix of the issue's. */
function fieldOfIssue(fields: readonly InputFormField[], path: readonly PropertyKey[]): InputFormField | undefined {
  const issuePath = path.map(String);
  let best: InputFormField | undefined;
  for (const field of fields) {
    const fieldPath = field.name.split('.');
    const matches = fieldPath.length <= issuePath.length && fieldPath.every((part, index) => issuePath[index] === part);
    if (matches && (!best || fieldPath.length > best.name.split('.').length)) best = field;
  }
  return best;
}

const noun = (origin: string, count: number | bigint): string =>
  origin === 'string' ? ` character${count === 1 ? '' : 's'}` : origin === 'array' || origin === 'set' ? ` item${count === 1 ? '' : 's'}` : '';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A schema author's message names other fields by their key ("must be on or after start_date"); the person reads
 * the label they see instead ("… after the start date").
 */
function namesInWords(message: string, fields: readonly InputFormField[]): string {
  let words = message;
  for (const other of fields) {
    const key = other.name.split('.').pop() ?? other.name;
    // Only identifier-like keys: a plain word ("months") in a message is just a word.
    if (other.kind === 'group' || !/[_A-Z]/.test(key)) continue;
    words = words.replace(new RegExp(`\\b${escapeRegExp(key)}\\b`, 'g'), `the ${other.label.charAt(0).toLowerCase()}${other.label.slice(1)}`);
  }
  return words;
}

/** zod's issue as a predicate ("must be at most 36"), so label + predicate reads as a sentence. */
function predicateOf(issue: z.core.$ZodIssue, field: InputFormField, fields: readonly InputFormField[]): string {
  // Messages a schema author wrote as predicates are kept, with the fields they name in words.
  if (/^must\b/.test(issue.message)) return namesInWords(issue.message.replace(/\.$/, ''), fields);
  switch (issue.code) {
    case 'too_small':
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${issue.minimum}${noun(issue.origin, issue.minimum)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}${noun(issue.origin, issue.maximum)}`;
    case 'invalid_type':
      if (issue.expected === 'int' || (field.kind === 'number' && field.integer)) return 'must be a whole number';
      return issue.expected === 'number' ? 'must be a number' : `must be a ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      if (field.kind === 'text' && field.inputType === 'month') return 'must be a month in YYYY-MM form';
      if (field.kind === 'text' && field.inputType === 'date') return 'must be a real date in YYYY-MM-DD form';
      return 'is not in the expected format';
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return `is not valid (${issue.message})`;
  }
}

function sentenceFor(issue: z.core.$ZodIssue, field: InputFormField, values: FormValues, fields: readonly InputFormField[]): string {
  const submitted = firstValue(values[field.name]);
  if (issue.code === 'invalid_type' && submitted === '' && field.kind !== 'group') return `Enter the ${field.label.charAt(0).toLowerCase()}${field.label.slice(1)}.`;
  const item = issue.path[field.name.split('.').length];
  if (field.kind === 'list' && typeof item === 'number') {
    const text = splitList(submitted)[item];
    if (text !== undefined) return `${field.label}: “${text}” ${predicateOf(issue, field, fields)}.`;
  }
  return `${field.label} ${predicateOf(issue, field, fields)}.`;
}

export type InputFormResult =
  | { ok: true; input: unknown }
  /** `errors` by field name; `formErrors` for issues no field owns (unknown keys, a refinement of the whole input). */
  | { ok: false; errors: FieldErrors; formErrors: string[] };

/**
 * Submitted values → the pipeline's input, checked by its schema. On success `input` is what was submitted (not
 * the parsed output): the launch parses it again with the same schema and stores that, so transforms run once.
 */
export function parseInputForm(schema: z.ZodType, form: InputFormDescription, values: FormValues): InputFormResult {
  const errors: FieldErrors = {};
  // A schema that is not an object is one JSON field: what it holds is the whole input.
  const single = form.fields.length === 1 && form.fields[0]?.name === 'input' && form.fields[0].kind === 'json';
  const raw = Object.fromEntries(form.fields.map((field) => [field.name, rawValue(field, values, errors)]));
  const input = single ? raw.input : raw;
  const parsed = schema.safeParse(input);
  const formErrors: string[] = [];
  if (!parsed.success) {
    const fields = flatten(form.fields);
    const unreadable = new Set(Object.keys(errors));
    for (const issue of parsed.error.issues) {
      const field = single ? form.fields[0] : fieldOfIssue(fields, issue.path);
      // JSON that did not parse already says so; "enter a value" on top of it would mislead.
      if (field && unreadable.has(field.name)) continue;
      if (field) addError(errors, field.name, sentenceFor(issue, field, values, fields));
      else formErrors.push(issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message);
    }
  }
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, input };
  return { ok: false, errors, formErrors };
}
