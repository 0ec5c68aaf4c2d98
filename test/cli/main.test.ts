/** cli/main.ts's signal contract, for every command: the first signal aborts ctx.signal, the second exits 130. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { trapSignals } from '../../src/cli/main.js';

class FakeProcess extends EventEmitter {
  readonly exits: number[] = [];
  exit(code: number): void {
    this.exits.push(code);
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`first ${signal} aborts with the signal's name, a second one exits 130`, () => {
    const proc = new FakeProcess();
    const abort = new AbortController();
    trapSignals(abort, proc);
    assert.equal(abort.signal.aborted, false);
    proc.emit(signal, signal);
    assert.equal(abort.signal.aborted, true);
    assert.equal(abort.signal.reason, signal);
    assert.deepEqual(proc.exits, []);
    proc.emit(signal === 'SIGINT' ? 'SIGTERM' : 'SIGINT', signal === 'SIGINT' ? 'SIGTERM' : 'SIGINT');
    assert.deepEqual(proc.exits, [130]);
    assert.equal(abort.signal.reason, signal, 'the first signal stays the reason');
  });
}

test('an unknown flag anywhere, on every command, exits 2 with the usage line of that command', async () => {
  const { execute } = await import('../../src/cli/main.js');
  const { captureContext } = await import('../sweep/helpers.js');
  const commands = [['run', 'c.yaml'], ['resume', 'R'], ['validate', 'c.yaml'], ['config', 'c.yaml'], ['list'], ['check', 'R'], ['compare', 'A', 'B'], ['sweep', 's.yaml'], ['sweep', 'run', 's.yaml'], ['sweep', 'status', 'D'], ['sweep', 'summary', 'D'], ['data', 'fetch', 'mnist'], ['data', 'info', 'moons'], ['replay', 'p.json'], ['runs'], ['report'], ['serve'], []];
  for (const command of commands) {
    for (const flag of ['-x=1', '--foo=bar', '-x', '--foo']) {
      const argv = [...command, ...(command.length > 0 ? ['a.b=1'] : []), flag];
      const c = captureContext(process.cwd());
      const code = await execute(['node', 'minima', ...argv], c.ctx);
      assert.equal(code, 2, argv.join(' '));
      const named = command.filter((w) => !/[./]|^[A-Z]$|^mnist$|^moons$/.test(w));
      // `sweep s.yaml` is the default subcommand, `sweep run`
      const usage = command[0] === 'sweep' && named.length === 1 ? 'usage: minima sweep run ' : `usage: ${['minima', ...named].join(' ')} `;
      assert.match(c.err(), /unknown option/, argv.join(' '));
      assert.ok(c.err().includes(usage), `${argv.join(' ')}: ${c.err()}`);
      assert.equal(c.out(), '');
    }
  }
});

test('a command argument that names an inherited property (list constructor) is a usage error, not a crash', async () => {
  const { execute } = await import('../../src/cli/main.js');
  const { captureContext } = await import('../sweep/helpers.js');
  for (const kind of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'prototype']) {
    const c = captureContext(process.cwd());
    assert.equal(await execute(['node', 'minima', 'list', kind], c.ctx), 2, kind);
    assert.match(c.err(), new RegExp(`unknown kind "${kind}"`));
  }
});

test('list shows the post-hoc analyses beside the catalog (singular or plural kind)', async () => {
  const { execute } = await import('../../src/cli/main.js');
  const { captureContext } = await import('../sweep/helpers.js');
  const { analysisRegistry } = await import('../../src/analysis/index.js');
  for (const kind of ['analyses', 'analysis']) {
    const c = captureContext(process.cwd());
    assert.equal(await execute(['node', 'minima', 'list', kind, '--json'], c.ctx), 0, c.err());
    assert.deepEqual(JSON.parse(c.out()).map((e: { name: string }) => e.name), analysisRegistry.names());
  }
  const all = captureContext(process.cwd());
  assert.equal(await execute(['node', 'minima', 'list'], all.ctx), 0);
  assert.match(all.out(), /^analyses \(\d+\)$/m);
});
