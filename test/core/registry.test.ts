import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { createRegistry, type Registry, type Spec } from '../../src/core/registry.js';
import { isResolved } from '../../src/core/spec.js';
import { ConfigError, RunnerError, UnknownNameError } from '../../src/core/errors.js';
import { catalog } from '../../src/registries.js';

const entry = (name: string) => ({ name, summary: name, schema: z.strictObject({}), create: () => name });

test('duplicate names are a startup error; unknown names suggest the closest', () => {
  assert.throws(() => createRegistry('loss', [entry('a'), entry('a')]), (e: unknown) => e instanceof RunnerError && e.code === 'DUPLICATE_NAME');
  const r = createRegistry('optimizer', [entry('adam'), entry('adamw'), entry('sgd')]);
  assert.deepEqual(r.names('adam*'), ['adam', 'adamw']);
  assert.throws(() => r.get('adamm'), (e: unknown) => e instanceof UnknownNameError && e.suggestions.includes('adam'));
});

test('every registry entry is well-formed data: kebab-case name, one-line summary, an object schema', () => {
  for (const [kind, registry] of Object.entries(catalog)) {
    assert.ok(registry.names().length > 0, `${kind} registry is empty`);
    for (const e of registry.entries) {
      assert.match(e.name, /^[a-z0-9][a-z0-9-]*$/, `${kind} ${e.name}`);
      assert.ok(e.summary.length > 10 && !e.summary.includes('\n'), `${kind} ${e.name} summary`);
      assert.equal(typeof e.create, 'function');
      assert.ok(e.schema.safeParse({}).success || !e.schema.safeParse({ surely_not_an_option: 1 }).success, `${kind} ${e.name} schema rejects unknown keys`);
      assert.equal(e.schema.safeParse({ surely_not_an_option: 1 }).success, false, `${kind} ${e.name} is strict`);
    }
  }
});

test('build: resolves (defaults, nested specs), collects every issue into one ConfigError, creates; nested specs come back through deps', () => {
  type Built = { name: string; options: Record<string, unknown>; inner?: Built };
  interface Deps { build(spec: Spec, at: readonly (string | number)[]): Built }
  const r: Registry<Built, Deps> = createRegistry<Built, Deps>('optimizer', [
    { name: 'leaf', summary: 'leaf', schema: z.strictObject({ lr: z.number().min(0).default(0.1) }), create: (options) => ({ name: 'leaf', options }) },
    {
      name: 'wrap',
      summary: 'wrap',
      schema: z.strictObject({ rho: z.number().default(0.05) }),
      nested: { base: { kind: 'optimizer' } },
      create: (options: { base: Spec }, deps) => ({ name: 'wrap', options, inner: deps.build(options.base, ['optimizer', 'base']) }),
    },
  ]);
  const deps: Deps = { build: (spec, at) => r.build(spec, at, deps) };
  const built = r.build({ name: 'wrap', base: { name: 'leaf' } }, ['optimizer'], deps);
  assert.equal(built.options.rho, 0.05);
  assert.equal(built.inner?.options.lr, 0.1);
  assert.ok(isResolved(built.options.base as Spec), 'the nested spec handed to create() is already resolved');
  assert.throws(
    () => r.build({ name: 'wrap', rhoo: 1, base: { name: 'leaf', lr: -1 } }, ['optimizer'], deps),
    (e: unknown) => e instanceof ConfigError && e.issues.map((i) => i.path).sort().join(' ') === 'optimizer.base.lr optimizer.rhoo'
      && /unknown key "rhoo" \(did you mean "rho"\?\); allowed: rho, base/.test(e.message),
  );
  assert.throws(() => r.build({ name: 'wrap', base: { name: 'lef' } }, ['optimizer'], deps), (e: unknown) => e instanceof UnknownNameError && e.suggestions.includes('leaf'));
});
