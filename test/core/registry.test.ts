import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { createRegistry } from '../../src/core/registry.js';
import { RunnerError, UnknownNameError } from '../../src/core/errors.js';
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
