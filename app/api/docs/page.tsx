import type { Metadata } from 'next';
import { Fragment } from 'react';
import { openApiDocument } from '@/lib/api/endpoints';

// The document names the site's own name and address, which are set at run time.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'API documentation',
  description: 'Every endpoint of the JSON API, its parameters, request bodies, answers and errors.',
  alternates: { canonical: '/api/docs' },
};

interface Doc {
  info: { title: string; description: string };
  paths: Record<string, Record<string, OperationDoc>>;
  components: { schemas: Record<string, object>; securitySchemes: Record<string, { description: string }> };
}

interface OperationDoc {
  summary: string;
  description?: string;
  security?: Record<string, unknown>[];
  parameters: { name: string; in: string; required: boolean; schema: object }[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }>;
}

const refName = (ref?: string) => ref?.split('/').pop();
const anchor = (method: string, path: string) => `op-${method}${path.replace(/[^a-z0-9]+/gi, '-')}`;

function SchemaLink({ schema }: { schema?: { $ref?: string } }) {
  const name = refName(schema?.$ref);
  return name ? <a href={`#schema-${name}`}>{name}</a> : null;
}

/** The OpenAPI document, readable: endpoints first, then every schema they refer to. */
export default function ApiDocsPage() {
  const doc = openApiDocument() as Doc;
  return (
    <article className="api-docs">
      <header className="page-header">
        <h1>{doc.info.title}</h1>
        <p className="lede">{doc.info.description}</p>
        <p>
          Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).
        </p>
      </header>

      <h2>Authentication</h2>
      <dl>
        {Object.entries(doc.components.securitySchemes).map(([name, scheme]) => (
          <Fragment key={name}>
            <dt>
              <code>{name}</code>
            </dt>
            <dd>{scheme.description}</dd>
          </Fragment>
        ))}
      </dl>

      <h2>Endpoints</h2>
      {Object.entries(doc.paths).map(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => (
          <section key={`${method} ${path}`} className="api-operation" aria-labelledby={anchor(method, path)}>
            <h3 id={anchor(method, path)}>
              <code>
                {method.toUpperCase()} {path}
              </code>
            </h3>
            <p>
              <strong>{op.summary}.</strong> {op.description}
            </p>
            <p className="meta">
              {op.security ? `Needs: ${op.security.map((s) => Object.keys(s)[0]).join(' or ')}` : 'No authentication needed.'}
            </p>
            {op.parameters.length > 0 && (
              <table className="admin-table">
                <caption className="visually-hidden">Parameters</caption>
                <thead>
                  <tr>
                    <th scope="col">Parameter</th>
                    <th scope="col">In</th>
                    <th scope="col">Required</th>
                    <th scope="col">Schema</th>
                  </tr>
                </thead>
                <tbody>
                  {op.parameters.map((param) => (
                    <tr key={param.name}>
                      <td>
                        <code>{param.name}</code>
                      </td>
                      <td>{param.in}</td>
                      <td>{param.required ? 'yes' : 'no'}</td>
                      <td>
                        <code>{JSON.stringify(param.schema)}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {op.requestBody && (
              <p>
                Body ({Object.keys(op.requestBody.content).join(' or ')}):{' '}
                <SchemaLink schema={Object.values(op.requestBody.content)[0]?.schema} />
              </p>
            )}
            <ul>
              {Object.entries(op.responses).map(([status, response]) => (
                <li key={status}>
                  <code>{status}</code> {response.description}
                  {response.content && (
                    <>
                      {' '}
                      (<SchemaLink schema={Object.values(response.content)[0]?.schema} />)
                    </>
                  )}
                </li>
              ))}
            </ul>
          </section>
        )),
      )}

      <h2>Schemas</h2>
      {Object.entries(doc.components.schemas).map(([name, schema]) => (
        <details key={name} id={`schema-${name}`} className="api-schema">
          <summary>
            <code>{name}</code>
          </summary>
          <pre>
            <code>{JSON.stringify(schema, null, 2)}</code>
          </pre>
        </details>
      ))}
    </article>
  );
}
