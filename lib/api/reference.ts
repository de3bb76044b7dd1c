import { openApiDocument } from '@/lib/api/endpoints';
import { renderPostMarkdown } from '@/lib/render/markdown';

/*
 * The API reference a person reads at /api/docs, made from the OpenAPI document (lib/api/openapi.ts):
 * each operation with its parameters, body fields, answers and problems, and each answer's schema as
 * rows of fields (name, type, required, limits, description). Every description, and the limits
 * written as words, is Markdown rendered by the posts' pipeline (lib/render), so `code` reads as code
 * and everything shown is sanitised. Built once per process: the document does not change while it runs.
 */

/** The part of JSON Schema (draft 2020-12, as zod writes it) that the reference reads. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  format?: string;
  pattern?: string;
  contentMediaType?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
}

interface OpenApiOperation {
  summary: string;
  description?: string;
  security?: Record<string, unknown>[];
  parameters: { name: string; in: string; required: boolean; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: JsonSchema }> }>;
}

interface OpenApiDocument {
  info: { title: string; description: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    securitySchemes: Record<string, { description: string }>;
  };
}

/**
 * Markdown, and the sanitised HTML it renders to (filled in once the whole reference is built). Most
 * is one paragraph: then `html` is its content, to place in a cell or a paragraph of the page's own
 * (the page has thousands of cells, and each wrapper is an element more to lay out and to check).
 */
export interface Rich {
  markdown: string;
  html: string;
  inline: boolean;
}

/** A type in words; a part may name a schema of the reference, to link to. */
export type TypePart = string | { schema: string };

export interface Field {
  /** The field's path within its schema: `title`, `errors[].field`. */
  name: string;
  type: TypePart[];
  required: boolean;
  /** Limits, allowed values and default, then the description. */
  details: Rich;
}

export interface SchemaDoc {
  name: string;
  /** Where it is shown: `schema-<name>`. */
  anchor: string;
  description?: Rich;
  /** An object's fields, in order, nested fields after their parent. */
  fields: Field[];
  /** The type of a schema that is not an object. */
  type?: TypePart[];
  /** A request body that refuses fields it does not list. */
  closed: boolean;
}

export interface ResponseDoc {
  status: string;
  description: Rich;
  headers: string[];
  contentType?: string;
  type?: TypePart[];
  problem: boolean;
}

export interface OperationDoc {
  method: string;
  path: string;
  anchor: string;
  summary: string;
  description?: Rich;
  /** The security schemes that may be used; `optional` when the operation also answers without any. */
  access: { schemes: string[]; optional: boolean };
  parameters: { in: string; fields: Field[] }[];
  body?: { contentTypes: string[]; schema?: SchemaDoc; type?: TypePart[]; details?: Rich };
  responses: ResponseDoc[];
}

export interface ApiReference {
  title: string;
  description: Rich;
  securitySchemes: { name: string; anchor: string; description: Rich }[];
  operations: OperationDoc[];
  /** The schemas of answers; request bodies are shown with their operation. */
  schemas: SchemaDoc[];
  /** Every schema by name, and where it is shown. */
  schemaAnchors: { name: string; anchor: string }[];
}

export const operationAnchor = (method: string, path: string) => `op-${method}${path.replace(/[^a-z0-9]+/gi, '-')}`;
export const schemaAnchor = (name: string) => `schema-${name}`;
export const securityAnchor = (name: string) => `auth-${name}`;

const refName = (ref: string) => ref.split('/').pop()!;

/** A value as a Markdown code span, whatever backticks it holds. */
function code(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const fence = '`'.repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length)) + 1);
  return `${fence}${fence.length > 1 || text.startsWith('`') ? ' ' : ''}${text}${fence.length > 1 || text.endsWith('`') ? ' ' : ''}${fence}`;
}

/** The variants of a union, with `null` left to the type's words. */
const variantsOf = (schema: JsonSchema): JsonSchema[] => schema.anyOf ?? schema.oneOf ?? [schema];

function typeOf(schema: JsonSchema): TypePart[] {
  if (schema.$ref) return [{ schema: refName(schema.$ref) }];
  if (schema.anyOf || schema.oneOf) return joinTypes(variantsOf(schema).map(typeOf));
  if (Array.isArray(schema.type)) return joinTypes(schema.type.map((type) => typeOf({ ...schema, type })));
  if (schema.type === 'array') return ['array of ', ...(schema.items ? typeOf(schema.items) : ['anything'])];
  if (schema.type) return [schema.type];
  if (schema.const !== undefined) return [typeof schema.const];
  return ['any'];
}

function joinTypes(types: TypePart[][]): TypePart[] {
  const unique = types.filter((type, i) => types.findIndex((other) => JSON.stringify(other) === JSON.stringify(type)) === i);
  return unique.flatMap((type, i) => (i === 0 ? type : [' or ', ...type]));
}

/** Bounds beyond which any value passes: zod's integers say so with the safe-integer range. */
const unbounded = (value: number | undefined) => value === undefined || Math.abs(value) >= Number.MAX_SAFE_INTEGER;

/** A count's limits in words: `1–200 characters`, `At most 20 items` (a minimum of 0 says nothing). */
function countRange(min: number | undefined, max: number | undefined, unit: string): string | undefined {
  const units = (n: number) => `${n.toLocaleString('en')} ${unit}${n === 1 ? '' : 's'}`;
  if (min && max !== undefined) return min === max ? `Exactly ${units(max)}` : `${min.toLocaleString('en')}–${units(max)}`;
  if (max !== undefined) return `At most ${units(max)}`;
  if (min) return `At least ${units(min)}`;
  return undefined;
}

/** A number's limits in words, leaving out the bounds of any safe integer. */
function numberRange({ minimum, maximum, exclusiveMinimum, exclusiveMaximum }: JsonSchema): string[] {
  const low = unbounded(minimum) ? undefined : minimum;
  const high = unbounded(maximum) ? undefined : maximum;
  const limits: string[] = [];
  if (low !== undefined && high !== undefined) limits.push(`From ${low} to ${high}`);
  else if (high !== undefined) limits.push(`At most ${high}`);
  else if (low !== undefined) limits.push(`At least ${low}`);
  if (exclusiveMinimum !== undefined) limits.push(`More than ${exclusiveMinimum}`);
  if (exclusiveMaximum !== undefined) limits.push(`Less than ${exclusiveMaximum}`);
  return limits;
}

const FORMATS: Record<string, string> = {
  'date-time': 'An ISO 8601 date and time',
  email: 'An email address',
  uri: 'An absolute URL',
};

/** A field's description: its own, or that of the schema it is a list or union of. */
const descriptionOf = (schema: JsonSchema): string | undefined =>
  schema.description ?? variantsOf(schema).find((variant) => variant.description)?.description;

/** What a value must be, in words (Markdown): lengths, ranges, allowed values, format, default. */
function limitsOf(schema: JsonSchema): string[] {
  const limits: string[] = [];
  for (const variant of variantsOf(schema)) {
    if (variant.type === 'null') continue;
    const length = countRange(variant.minLength, variant.maxLength, 'character');
    if (length) limits.push(length);
    limits.push(...numberRange(variant));
    const items = countRange(variant.minItems, variant.maxItems, 'item');
    if (items) limits.push(items);
    if (variant.items && !variant.items.properties) {
      const each = limitsOf(variant.items);
      if (each.length > 0) limits.push(`Each: ${each.map((limit) => limit[0]!.toLowerCase() + limit.slice(1)).join(', ')}`);
    }
    if (variant.enum) limits.push(`One of ${variant.enum.map(code).join(', ')}`);
    if (variant.const !== undefined) limits.push(`Always ${code(variant.const)}`);
    // A description says more than a format's name (`dateTime` in lib/schema/fields.ts), and a format's
    // own pattern (zod spells out date-times as a page-long expression) adds nothing to it.
    if (variant.format) {
      if (!descriptionOf(schema)) limits.push(FORMATS[variant.format] ?? `Format ${code(variant.format)}`);
    } else if (variant.pattern) limits.push(`Matches ${code(variant.pattern)}`);
    if (variant.contentMediaType) limits.push(`The file itself, as ${code(variant.contentMediaType)}`);
  }
  if (schema.default !== undefined) limits.push(`Default ${code(schema.default)}`);
  return limits;
}

/** The object a field holds, whose fields are listed after it (an object, a list of them, or either with null). */
function nestedObject(schema: JsonSchema): { object: JsonSchema; prefix: string } | undefined {
  for (const variant of variantsOf(schema)) {
    if (variant.properties) return { object: variant, prefix: '.' };
    if (variant.items?.properties) return { object: variant.items, prefix: '[].' };
  }
  return undefined;
}

const sentences = (parts: (string | undefined)[]) =>
  parts
    .filter((part): part is string => !!part)
    .map((part) => (/[.!?)]$/.test(part) ? part : `${part}.`))
    .join(' ');

/** HTML that is one paragraph and nothing else. */
const ONE_PARAGRAPH = /^<p>((?:(?!<\/?p>)[\s\S])*)<\/p>\s*$/;

/** Builds the reference's parts and keeps every piece of Markdown, to render them all at the end. */
class ReferenceBuilder {
  readonly rich: Rich[] = [];

  markdown(markdown: string): Rich {
    const rich = { markdown, html: '', inline: true };
    this.rich.push(rich);
    return rich;
  }

  field(name: string, schema: JsonSchema, required: boolean): Field[] {
    const details = this.markdown(sentences([...limitsOf(schema), descriptionOf(schema)]));
    const row: Field = { name, type: typeOf(schema), required, details };
    const nested = nestedObject(schema);
    return [row, ...(nested ? this.fields(nested.object, `${name}${nested.prefix}`) : [])];
  }

  fields(object: JsonSchema, prefix = ''): Field[] {
    const required = new Set(object.required ?? []);
    return Object.entries(object.properties ?? {}).flatMap(([name, schema]) => this.field(`${prefix}${name}`, schema, required.has(name)));
  }

  schema(name: string, schema: JsonSchema, request: boolean): SchemaDoc {
    return {
      name,
      anchor: schemaAnchor(name),
      ...(schema.description ? { description: this.markdown(schema.description) } : {}),
      fields: this.fields(schema),
      ...(schema.properties ? {} : { type: typeOf(schema) }),
      closed: request && schema.additionalProperties === false,
    };
  }

  operation(doc: OpenApiDocument, path: string, method: string, op: OpenApiOperation): OperationDoc {
    const schemes = (op.security ?? []).flatMap((requirement) => Object.keys(requirement));
    const locations = [...new Set(op.parameters.map((parameter) => parameter.in))];
    const content = Object.entries(op.requestBody?.content ?? {});
    const bodySchema = content[0]?.[1].schema;
    const bodyName = bodySchema?.$ref ? refName(bodySchema.$ref) : undefined;
    return {
      method: method.toUpperCase(),
      path,
      anchor: operationAnchor(method, path),
      summary: op.summary,
      ...(op.description ? { description: this.markdown(op.description) } : {}),
      access: { schemes, optional: (op.security ?? []).some((requirement) => Object.keys(requirement).length === 0) },
      parameters: locations.map((location) => ({
        in: location,
        fields: op.parameters
          .filter((parameter) => parameter.in === location)
          .flatMap((parameter) => this.field(parameter.name, parameter.schema, parameter.required)),
      })),
      ...(bodySchema
        ? {
            body: {
              contentTypes: content.map(([type]) => type),
              ...(bodyName
                ? { schema: this.schema(bodyName, doc.components.schemas[bodyName]!, true) }
                : { type: typeOf(bodySchema), details: this.markdown(sentences(limitsOf(bodySchema))) }),
            },
          }
        : {}),
      responses: Object.entries(op.responses).map(([status, response]) => {
        const [contentType, media] = Object.entries(response.content ?? {})[0] ?? [];
        return {
          status,
          description: this.markdown(response.description),
          headers: Object.keys(response.headers ?? {}),
          ...(contentType && media ? { contentType, type: typeOf(media.schema) } : {}),
          problem: contentType === 'application/problem+json',
        };
      }),
    };
  }

  build(doc: OpenApiDocument): ApiReference {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => this.operation(doc, path, method, op)),
    );
    const requestBodies = new Map(operations.flatMap((op) => (op.body?.schema ? [[op.body.schema.name, op.anchor] as const] : [])));
    return {
      title: doc.info.title,
      description: this.markdown(doc.info.description),
      securitySchemes: Object.entries(doc.components.securitySchemes).map(([name, scheme]) => ({
        name,
        anchor: securityAnchor(name),
        description: this.markdown(scheme.description),
      })),
      operations,
      schemas: Object.entries(doc.components.schemas)
        .filter(([name]) => !requestBodies.has(name))
        .map(([name, schema]) => this.schema(name, schema, false)),
      schemaAnchors: Object.keys(doc.components.schemas).map((name) => ({ name, anchor: schemaAnchor(name) })),
    };
  }

  /** Renders each distinct piece once, one after another: the render pool is shared with readers' comments. */
  async render(): Promise<void> {
    const rendered = new Map<string, string>();
    for (const rich of this.rich) {
      if (!rendered.has(rich.markdown)) rendered.set(rich.markdown, rich.markdown ? await renderPostMarkdown(rich.markdown) : '');
      const html = rendered.get(rich.markdown)!;
      const paragraph = ONE_PARAGRAPH.exec(html);
      rich.inline = !!paragraph || !html;
      rich.html = paragraph ? paragraph[1]! : html;
    }
  }
}

/** The reference of this OpenAPI document, its Markdown rendered. */
export async function buildApiReference(doc: object): Promise<ApiReference> {
  const builder = new ReferenceBuilder();
  const reference = builder.build(doc as OpenApiDocument);
  await builder.render();
  return reference;
}

let reference: Promise<ApiReference> | undefined;

/** The API's reference, built on first use; a failed build (a busy render pool) is tried again next time. */
export function getApiReference(): Promise<ApiReference> {
  reference ??= buildApiReference(openApiDocument()).catch((error: unknown) => {
    reference = undefined;
    throw error;
  });
  return reference;
}
