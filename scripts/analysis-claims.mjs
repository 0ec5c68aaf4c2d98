#!/usr/bin/env node
// `node scripts/analysis-claims.mjs [sam-flatness] [long-tail-saddles] [--runs-dir DIR]`: the shipped
// experiments of `minima analyze` (docs/analysis.md). Trains the configs of configs/analysis/ (a
// completed run of the same config name already in DIR is reused), runs the analyses with the built
// CLI, prints every number compared and a closing `N passed, N failed`. Exit 0 when every check
// holds, 4 when one does not, 1 when a command fails. Minutes on 2 cores (see docs/analysis.md).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin', 'minima.js');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs-dir');
const runsDir = runsAt >= 0 ? args[runsAt + 1] : join(root, 'runs', 'analysis-claims');
const chosen = args.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1));

function minima(argv) {
  const r = spawnSync(process.execPath, [bin, ...argv], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    console.error(`minima ${argv.join(' ')} exited ${r.status}`);
    process.exit(1);
  }
  return r.stdout;
}

/** The run folder of `config` (configs/analysis/<name>.yaml): a completed one in runsDir, else trained now. */
function trained(name) {
  const config = join(root, 'configs', 'analysis', `${name}.yaml`);
  const want = `analysis-${name}`;
  if (existsSync(runsDir)) {
    for (const d of readdirSync(runsDir).sort().reverse()) {
      const summary = join(runsDir, d, 'summary.json');
      if (!existsSync(summary)) continue;
      const s = JSON.parse(readFileSync(summary, 'utf8'));
      if (s.name === want && s.status === 'completed') return join(runsDir, d);
    }
  }
  console.error(`training ${name} …`);
  return JSON.parse(minima(['run', config, '--runs-dir', runsDir, '--json', '-q']).trim().split('\n').at(-1)).run_dir;
}

/** Results of `minima analyze RUN …` keyed by analysis folder. */
function analyze(run, words) {
  console.error(`analyzing ${run}: ${words.join(' ')} …`);
  const out = JSON.parse(minima(['analyze', run, ...words, '--json', '-q']).trim().split('\n').at(-1));
  return Object.fromEntries(out.map((a) => [a.folder, a.result]));
}

const results = [];
function check(claim, what, a, op, b) {
  const ok = op === '<' ? a < b : a > b;
  results.push({ claim, what, ok });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${claim}: ${what}: ${a.toPrecision(4)} ${op} ${b.toPrecision(4)}`);
}

const experiments = {
  'sam-flatness'() {
    const words = ['landscape', 'hessian'];
    const sgd = analyze(trained('mnist-mlp-sgd'), words);
    const sam = analyze(trained('mnist-mlp-sam'), words);
    for (const r of ['0.5', '1']) check('sam-flatness', `train-loss rise at filter-normalised radius ${r}, SAM vs SGD`, sam.landscape[`train_loss_rise@${r}`], '<', sgd.landscape[`train_loss_rise@${r}`]);
    check('sam-flatness', 'top Hessian eigenvalue, SAM vs SGD', sam.hessian.top_eigenvalue, '<', sgd.hessian.top_eigenvalue);
    check('sam-flatness', 'Hessian trace (Hutchinson), SAM vs SGD', sam.hessian.trace, '<', sgd.hessian.trace);
  },
  'long-tail-saddles'() {
    const words = ['hessian:class=0,examples=null,top_k=1', 'hessian:class=9,examples=null,top_k=1'];
    const sgd = analyze(trained('mnist-lt-ce-sgd'), words);
    const sam = analyze(trained('mnist-lt-ce-sam'), words);
    const head = sgd['hessian-class-0'];
    const tail = sgd['hessian-class-9'];
    check('long-tail-saddles', 'SGD: negative curvature relative to λ_max (|λ_min|/λ_max), tail class 9 vs head class 0', tail.negative_ratio, '>', head.negative_ratio);
    check('long-tail-saddles', 'SGD: λ_min, tail class 9 vs head class 0', tail.lambda_min, '<', head.lambda_min);
    check('long-tail-saddles', 'tail class 9: |λ_min|, SAM vs SGD', -sam['hessian-class-9'].lambda_min, '<', -tail.lambda_min);
    // reported, not checked: SAM shrinks λ_max more than |λ_min| here, so the ratio rises
    console.log(`info long-tail-saddles: tail class 9 |λ_min|/λ_max: SAM ${sam['hessian-class-9'].negative_ratio.toPrecision(4)}, SGD ${tail.negative_ratio.toPrecision(4)}`);
  },
};

const names = chosen.length > 0 ? chosen : Object.keys(experiments);
for (const n of names) {
  if (!experiments[n]) {
    console.error(`unknown experiment ${n}; known: ${Object.keys(experiments).join(', ')}`);
    process.exit(2);
  }
  experiments[n]();
}
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed > 0 ? 4 : 0);
