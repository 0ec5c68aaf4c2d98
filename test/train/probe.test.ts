import { test } from 'node:test';
import { tf } from '../support/tf.js';
import { withTmpDir } from '../support/tmp-dir.js';
import { runTiny, tinyConfig } from './harness.js';
test('probe', async () => {
  await withTmpDir(async (tmp) => {
    const vars0 = Object.keys(tf.engine().state.registeredVariables);
    const r = await runTiny(tmp, `a`, tinyConfig({ train: { steps: 4, checkpoint_every: 4 } }));
    console.log('leak', r.leaked, Object.keys(tf.engine().state.registeredVariables).filter((v) => !vars0.includes(v)));
    const r2 = await runTiny(tmp, `b`, tinyConfig({ train: { steps: 4, checkpoint_every: 1 } }));
    console.log('leak', r2.leaked);
    const r3 = await runTiny(tmp, `c`, tinyConfig({ train: { steps: 8, checkpoint_every: 8 }, optimizer: {name:'sgd', momentum: 0.9} }));
    console.log('leak', r3.leaked);
    const r4 = await runTiny(tmp, `d`, tinyConfig({ train: { steps: 8, checkpoint_every: 2 }, optimizer: {name:'sgd', momentum: 0.9} }));
    console.log('leak', r4.leaked);
  });
});
