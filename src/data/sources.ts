/**
 * Where `minima data fetch` downloads from: canonical URLs and the checksums their publishers
 * give (MD5 for the MNIST family and CIFAR, as published on the dataset pages and used by
 * torchvision). Files land in <datasets root>/<name>/, where the loaders look by default.
 */
export interface SourceFile {
  readonly file: string;
  readonly md5?: string;
  readonly sha256?: string;
}

export interface Source {
  readonly description: string;
  readonly homepage: string;
  readonly licence: string;
  /** Base URLs tried in order (torchvision-style mirrors); the file name is appended. */
  readonly bases: readonly string[];
  readonly files: readonly SourceFile[];
  /** For archives: the member files (by base name) written into the dataset folder. */
  readonly extract?: readonly string[];
}

const idxFiles = (md5: readonly [string, string, string, string]): SourceFile[] =>
  ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((file, i) => ({ file, md5: md5[i]! }));

export const SOURCES: Readonly<Record<string, Source>> = {
  mnist: {
    description: 'MNIST handwritten digits, 60k train / 10k test, IDX format',
    homepage: 'http://yann.lecun.com/exdb/mnist/',
    licence: 'CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)',
    bases: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/'],
    files: idxFiles(['f68b3c2dcbeaaa9fbdd348bbdeb94873', 'd53e105ee54ea40749a09fcbcd1e9432', '9fb629c4189551a2d022fa330f9573f3', 'ec29112dd5afa0611ce80d1b7f02629c']),
  },
  'fashion-mnist': {
    description: 'Fashion-MNIST (Zalando), 60k train / 10k test, IDX format',
    homepage: 'https://github.com/zalandoresearch/fashion-mnist',
    licence: 'MIT (Zalando SE)',
    bases: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/', 'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/'],
    files: idxFiles(['8d4fb7e6c68d591d4c3dfef9ec88bf0d', '25c81989df183df01b3e8a0aad5dffbe', 'bef4ecab320f06d8554ea6380940ec79', 'bb300cfdad3c16e7a12a480ee83cd310']),
  },
  kmnist: {
    description: 'Kuzushiji-MNIST, 60k train / 10k test, IDX format',
    homepage: 'https://github.com/rois-codh/kmnist',
    licence: 'CC BY-SA 4.0 (ROIS-DS Center for Open Data in the Humanities)',
    bases: ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/'],
    files: idxFiles(['bdb82020997e1d708af4cf47b453dcf7', 'e144d726b3acfaa3e44228e80efcd344', '5c965bf0a639b31b8f53240b1b52f4d7', '7320c461ea6c1c855c0b718fb2a4b134']),
  },
  cifar10: {
    description: 'CIFAR-10 binary version, 50k train / 10k test, 32×32×3',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    licence: 'no licence stated; cite Krizhevsky (2009), Learning Multiple Layers of Features from Tiny Images',
    bases: ['https://www.cs.toronto.edu/~kriz/'],
    files: [{ file: 'cifar-10-binary.tar.gz', md5: 'c32a1d4ab5d03f1284b67883e8d87530' }],
    extract: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin', 'batches.meta.txt'],
  },
  cifar100: {
    description: 'CIFAR-100 binary version, 50k train / 10k test, 32×32×3, fine + coarse labels',
    homepage: 'https://www.cs.toronto.edu/~kriz/cifar.html',
    licence: 'no licence stated; cite Krizhevsky (2009), Learning Multiple Layers of Features from Tiny Images',
    bases: ['https://www.cs.toronto.edu/~kriz/'],
    files: [{ file: 'cifar-100-binary.tar.gz', md5: '03b5dce01913d631647c71ecec9e9cb8' }],
    extract: ['train.bin', 'test.bin', 'coarse_label_names.txt', 'fine_label_names.txt'],
  },
};
