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
