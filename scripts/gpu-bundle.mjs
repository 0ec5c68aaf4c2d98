#!/usr/bin/env node
/**
 * Packs what scripts/gpu-check.sh needs into one file, for a GPU machine that reaches no package
 * registry (air-gapped cluster nodes, sandboxed GPU hosts): this machine's node binary, the GPU
 * check and the minima CLI (app/dist/minima.mjs) bundled by esbuild into ES modules (minima,
 * tfjs-core and its backends inlined), the MNIST digits of the `mnist` package, the native pieces
 * they load beside them (Dawn's linux-x64 `webgpu` build, koffi for the CPU reference's BLAS, the
 * wasm backend's .wasm files), bench/torch_models.py, and the .debs of the Vulkan loader and glvnd
 * when apt-get can download them. gpu-check.sh unpacks it when GPU_CHECK_BUNDLE names it.
 * Usage, from the repository root after `npm ci`: node scripts/gpu-bundle.mjs [out.tar.xz]
 * (default .gpu-bundle.tar.xz, which .gitignore ignores). Linux x64 only: the binaries are that.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(process.argv[2] ?? join(root, '.gpu-bundle.tar.xz'));
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`gpu-bundle: linux x64 only (this is ${process.platform} ${process.arch}): the bundle carries this machine's node binary`);
  process.exit(2);
}
const require = createRequire(join(root, 'package.json'));
const { build } = await import(require.resolve('esbuild'));
const stage = mkdtempSync(join(tmpdir(), 'minima-gpu-bundle-'));
const app = join(stage, 'app');
const modules = join(app, 'node_modules');
mkdirSync(modules, { recursive: true });
const pkgDir = (name) => join(root, 'node_modules', name);

// 1. The check and the CLI as modules. Native and optional packages stay outside: they load from
//    node_modules beside them. CommonJS inside (the tfjs node builds, emscripten's glue) calls
//    require and reads __dirname, which an ES module lacks: the banner defines them.
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);" },
  logLevel: 'warning',
  external: ['webgpu', 'koffi', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
};
await build({
  ...common,
  entryPoints: [join(root, 'bench/gpu-check.ts')],
  outfile: join(app, 'gpu-check.mjs'),
});
copyFileSync(join(root, 'bench/torch_models.py'), join(app, 'torch_models.py'));
// The CLI too, for `minima run … --backend webgpu` there (gpu-check.sh runs the quickstart with it).
// It sits two folders down so that src/run/meta.ts finds package.json at ../../ as in a checkout;
// the report renderers (resvg, playwright) are left out: render reports where the runs are copied.
await build({
  ...common,
  stdin: { contents: "import { main } from './src/cli/main.ts';\nawait main(process.argv);\n", resolveDir: root, loader: 'ts', sourcefile: 'minima-cli.ts' },
  outfile: join(app, 'dist/minima.mjs'),
  external: [...common.external, '@resvg/resvg-js', 'playwright-core'],
});
copyFileSync(join(root, 'package.json'), join(stage, 'package.json'));

// 2. What loads from node_modules: Dawn (linux-x64 only), koffi and its linux-x64 prebuild, and the
//    wasm backend's package (minima resolves it to find the .wasm files; the code itself is inlined).
const webgpu = pkgDir('webgpu');
mkdirSync(join(modules, 'webgpu/dist'), { recursive: true });
for (const f of ['package.json', 'index.js', 'LICENSE.md']) if (existsSync(join(webgpu, f))) copyFileSync(join(webgpu, f), join(modules, 'webgpu', f));
cpSync(join(webgpu, 'dist/linux-x64'), join(modules, 'webgpu/dist/linux-x64'), { recursive: true });
const koffi = pkgDir('koffi');
cpSync(koffi, join(modules, 'koffi'), { recursive: true, filter: (src) => src !== join(koffi, 'doc') && src !== join(koffi, 'vendor') });
const koffiNative = join(root, 'node_modules/@koromix/koffi-linux-x64');
if (existsSync(koffiNative)) cpSync(koffiNative, join(modules, '@koromix/koffi-linux-x64'), { recursive: true });
const wasm = pkgDir('@tensorflow/tfjs-backend-wasm');
const wasmOut = join(modules, '@tensorflow/tfjs-backend-wasm');
mkdirSync(join(wasmOut, 'dist'), { recursive: true });
copyFileSync(join(wasm, 'package.json'), join(wasmOut, 'package.json'));
for (const f of readdirSync(join(wasm, 'dist'))) {
  if (f.endsWith('.wasm') || f === 'tf-backend-wasm.node.js') copyFileSync(join(wasm, 'dist', f), join(wasmOut, 'dist', f));
}
// inlined packages that minima looks up by name (packageVersion) before using them
for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-webgpu']) {
  mkdirSync(join(modules, name), { recursive: true });
  copyFileSync(join(pkgDir(name), 'package.json'), join(modules, name, 'package.json'));
}
// the bundled MNIST digits the quickstart trains on (the `mnist` package's data files)
const mnist = pkgDir('mnist');
mkdirSync(join(modules, 'mnist/src'), { recursive: true });
copyFileSync(join(mnist, 'package.json'), join(modules, 'mnist/package.json'));
cpSync(join(mnist, 'src/digits'), join(modules, 'mnist/src/digits'), { recursive: true });
writeFileSync(join(app, 'package.json'), '{"type": "module", "private": true}\n');

// 3. The node binary, and the Vulkan loader for machines whose image has the NVIDIA driver but no libvulkan.so.1.
mkdirSync(join(stage, 'bin'));
copyFileSync(process.execPath, join(stage, 'bin/node'));
const debs = join(stage, 'debs');
mkdirSync(debs);
// glvnd beside the loader: NVIDIA's Vulkan ICD is libGLX_nvidia.so.0, which needs libGLdispatch at instance creation
const loaderDebs = ['libvulkan1', 'libglvnd0', 'libglx0', 'libgl1', 'libegl1', 'libopengl0', 'libgles2'];
try {
  execFileSync('apt-get', ['download', ...loaderDebs], { cwd: debs, stdio: 'pipe' });
} catch (err) {
  console.error(`gpu-bundle: apt-get download ${loaderDebs.join(' ')} failed (${String(err.message).split('\n')[0]}); the bundle relies on the GPU machine's own loader`);
}
writeFileSync(join(stage, 'BUNDLE.json'), `${JSON.stringify({
  made: new Date().toISOString(),
  node: process.version,
  commit: (() => { try { return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim(); } catch { return null; } })(),
  webgpu: require(join(webgpu, 'package.json')).version,
  debs: readdirSync(debs),
}, null, 2)}\n`);

execFileSync('tar', ['-C', stage, '-cJf', out, '.'], { stdio: 'inherit', env: { ...process.env, XZ_OPT: '-6 -T2' } });
rmSync(stage, { recursive: true, force: true });
console.log(`gpu-bundle: wrote ${out} (${(statSync(out).size / 2 ** 20).toFixed(1)} MiB)`);
