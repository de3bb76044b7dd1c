import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Fragment } from 'react';
import {
  type Field,
  type OperationDoc,
  type Rich,
  type SchemaDoc,
  type TypePart,
  getApiReference,
  schemaAnchor,
  securityAnchor,
} from '@/lib/api/reference';

/** The one document: next.config.mjs rewrites `/api/docs` to /api/docs/reference. */
const REFERENCE = 'reference';

type Props = { params: Promise<{ document: string }> };

/*
 * A cached page with a path of its own, as the home page is (app/(site)/archive): rendered on the first
 * visit, never at build time (the document names the site's name and address, set at run time), and
 * kept until the site's identity changes or a minute passes. The reference itself is built once per process.
 */
export const revalidate = 60; // = CACHE_SECONDS in lib/cache.ts; Next needs a literal here.
export const generateStaticParams = (): { document: string }[] => [];

export const metadata: Metadata = {
  title: 'API documentation',
  description: 'Every endpoint of the JSON API, its parameters, request bodies, answers and errors.',
  alternates: { canonical: '/api/docs' },
};

/** Markdown from the reference, already rendered and sanitised (lib/api/reference.ts): a paragraph, or the blocks it made. */
function Markdown({ value, className }: { value?: Rich; className?: string }) {
  if (!value?.html) return null;
  const html = { __html: value.html };
  return value.inline ? (
    <p className={className} dangerouslySetInnerHTML={html} />
  ) : (
    <div className={className} dangerouslySetInnerHTML={html} />
  );
}

/** The same in a table cell, with no wrapper of its own. */
const cellHtml = (value: Rich) => ({ __html: value.html });

function Type({ parts }: { parts: TypePart[] }) {
  return (
    <>
      {parts.map((part, i) =>
        typeof part === 'string' ? (
          <Fragment key={i}>{part}</Fragment>
        ) : (
          <a key={i} href={`#${schemaAnchor(part.schema)}`}>
            <Breakable name={part.schema} />
          </a>
        ),
      )}
    </>
  );
}

/**
 * A name free to wrap between its words (`moderation.<wbr>comment<wbr>Rate…`, `application/<wbr>json`),
 * so that a phone keeps a table in its width without breaking a word in two.
 */
function Breakable({ name }: { name: string }) {
  if (name.length <= 12) return name;
  return name.split(/(?<=[a-z])(?=[A-Z])|(?<=[./+])/).map((word, i) => (
    <Fragment key={i}>
      {i > 0 && <wbr />}
      {word}
    </Fragment>
  ));
}

function ColumnHeads({ names }: { names: string[] }) {
  return (
    <thead>
      <tr>
        {names.map((name) => (
          <th key={name} scope="col">
            {name}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** Fields as rows: a nested field's name is its path (`errors[].field`), after its parent's row. */
function Fields({ fields, caption }: { fields: Field[]; caption: string }) {
  return (
    <table className="api-fields">
      <caption className="visually-hidden">{caption}</caption>
      <ColumnHeads names={['Field', 'Type', 'Required', 'Details']} />
      <tbody>
        {fields.map((field) => (
          <tr key={field.name}>
            <th scope="row" className="api-name">
              <Breakable name={field.name} />
            </th>
            <td>
              <Type parts={field.type} />
            </td>
            <td>{field.required ? 'required' : 'optional'}</td>
            <td dangerouslySetInnerHTML={cellHtml(field.details)} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Schema({ schema }: { schema: SchemaDoc }) {
  return (
    <>
      <Markdown value={schema.description} />
      {schema.fields.length > 0 ? (
        <Fields fields={schema.fields} caption={`${schema.name} fields`} />
      ) : (
        schema.type && (
          <p>
            Type: <Type parts={schema.type} />
          </p>
        )
      )}
      {schema.closed && <p className="meta">Any other field is refused (400).</p>}
    </>
  );
}

function Access({ access }: { access: OperationDoc['access'] }) {
  if (access.schemes.length === 0) return <p className="meta">No credentials needed.</p>;
  const schemes = access.schemes.map((name, i) => (
    <Fragment key={name}>
      {i > 0 && ' or '}
      <a href={`#${securityAnchor(name)}`}>{name}</a>
    </Fragment>
  ));
  return <p className="meta">{access.optional ? <>Credentials optional: {schemes}.</> : <>Credentials: {schemes}.</>}</p>;
}

function Operation({ op }: { op: OperationDoc }) {
  return (
    <section className="api-operation" aria-labelledby={op.anchor}>
      <h3 id={op.anchor}>
        <code>
          {op.method} {op.path}
        </code>
      </h3>
      <p>
        <strong>{op.summary}.</strong>
      </p>
      <Markdown value={op.description} />
      <Access access={op.access} />
      {op.parameters.map(({ in: location, fields }) => (
        <Fragment key={location}>
          <h4>{location === 'path' ? 'Path parameters' : location === 'query' ? 'Query parameters' : `Parameters in the ${location}`}</h4>
          <Fields fields={fields} caption={`${op.method} ${op.path}: ${location} parameters`} />
        </Fragment>
      ))}
      {op.body && (
        <div id={op.body.schema?.anchor}>
          <h4>Request body{op.body.schema && <>: {op.body.schema.name}</>}</h4>
          <p>
            Sent as{' '}
            {op.body.contentTypes.map((type, i) => (
              <Fragment key={type}>
                {i > 0 && ' or '}
                <code>{type}</code>
              </Fragment>
            ))}
            {op.body.type && (
              <>
                : <Type parts={op.body.type} />
              </>
            )}
            .
          </p>
          {op.body.schema ? <Schema schema={op.body.schema} /> : <Markdown value={op.body.details} />}
        </div>
      )}
      <h4>Answers</h4>
      <table className="api-fields api-responses">
        <caption className="visually-hidden">
          {op.method} {op.path}: answers
        </caption>
        <ColumnHeads names={['Status', 'Meaning', 'Body']} />
        <tbody>
          {op.responses.map((response) => (
            <tr key={response.status}>
              <th scope="row" className="api-name">
                {response.status}
              </th>
              <td>
                <span dangerouslySetInnerHTML={cellHtml(response.description)} />
                {response.headers.length > 0 && (
                  <p className="meta">
                    Headers:{' '}
                    {response.headers.map((header, i) => (
                      <Fragment key={header}>
                        {i > 0 && ', '}
                        <code>{header}</code>
                      </Fragment>
                    ))}
                  </p>
                )}
              </td>
              <td>
                {response.type && response.contentType ? (
                  <>
                    <Type parts={response.type} />
                    <span className="meta api-content-type">
                      <Breakable name={response.contentType} />
                    </span>
                  </>
                ) : (
                  'none'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The OpenAPI document, readable without JavaScript: contents, authentication, every operation, then the answers' schemas. */
export default async function ApiDocsPage({ params }: Props) {
  if ((await params).document !== REFERENCE) notFound();
  const reference = await getApiReference();
  return (
    <article className="api-docs">
      <header className="page-header">
        <h1>{reference.title}</h1>
        <Markdown value={reference.description} className="lede" />
        <p>
          Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).
        </p>
      </header>

      <nav className="api-contents" aria-labelledby="api-contents-heading">
        <h2 id="api-contents-heading">Contents</h2>
        <ul>
          <li>
            <a href="#authentication">Authentication</a>
          </li>
          <li>
            <a href="#endpoints">Endpoints</a>
            <ul className="api-contents-operations">
              {reference.operations.map((op) => (
                <li key={op.anchor}>
                  <a href={`#${op.anchor}`}>
                    <code>
                      {op.method} {op.path}
                    </code>
                  </a>{' '}
                  <span className="meta">{op.summary}</span>
                </li>
              ))}
            </ul>
          </li>
          <li>
            <a href="#schemas">Schemas</a>
            <ul className="api-contents-schemas">
              {reference.schemaAnchors.map(({ name, anchor }) => (
                <li key={name}>
                  <a href={`#${anchor}`}>{name}</a>
                </li>
              ))}
            </ul>
          </li>
        </ul>
      </nav>

      <h2 id="authentication">Authentication</h2>
      <dl>
        {reference.securitySchemes.map((scheme) => (
          <Fragment key={scheme.name}>
            <dt id={scheme.anchor}>
              <code>{scheme.name}</code>
            </dt>
            <dd dangerouslySetInnerHTML={cellHtml(scheme.description)} />
          </Fragment>
        ))}
      </dl>

      <h2 id="endpoints">Endpoints</h2>
      {reference.operations.map((op) => (
        <Operation key={op.anchor} op={op} />
      ))}

      <h2 id="schemas">Schemas</h2>
      <p>The answers’ schemas; request bodies are described with their endpoint.</p>
      {reference.schemas.map((schema) => (
        <section key={schema.name} className="api-schema" aria-labelledby={schema.anchor}>
          <h3 id={schema.anchor}>
            <code>{schema.name}</code>
          </h3>
          <Schema schema={schema} />
        </section>
      ))}
    </article>
  );
}
