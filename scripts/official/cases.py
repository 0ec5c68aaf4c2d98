"""The optimizer settings compared with the official code: (case id, minima `optimizer:` block).

Each block is exactly what minima receives; official.py translates it, passing only the keys the
block sets, so omitted values compare minima's defaults with the official defaults too.
Settings are chosen so each option changes the trajectory visibly within 20 steps (large enough
weight decay, clipping thresholds below the gradient norm, lr = 1 for MoMo's adaptive branch).
"""

SGD_M = {'name': 'sgd', 'lr': 0.1, 'momentum': 0.9}
SGD_PAPER = {'name': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'weight_decay': 5e-3}

CASES: list[tuple[str, dict]] = [
    # torch built-ins
    ('sgd/defaults', {'name': 'sgd'}),
    ('sgd/plain', {'name': 'sgd', 'lr': 0.2}),
    ('sgd/momentum', SGD_M),
    ('sgd/dampening+wd', {'name': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'dampening': 0.5, 'weight_decay': 0.05}),
    ('sgd/nesterov+wd', {'name': 'sgd', 'lr': 0.05, 'momentum': 0.8, 'nesterov': True, 'weight_decay': 0.1}),
    ('sgd/clip', {'name': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'clip_grad_norm': 0.1}),
    ('sgdw/momentum+wd', {'name': 'sgdw', 'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.5}),
    ('sgdw/unscaled-decay', {'name': 'sgdw', 'lr': 0.1, 'momentum': 0.5, 'dampening': 0.2, 'weight_decay': 0.02, 'decay_scaled_by_lr': False}),
    ('adam/defaults', {'name': 'adam'}),
    ('adam/lr', {'name': 'adam', 'lr': 0.02}),
    ('adam/l2', {'name': 'adam', 'lr': 0.02, 'betas': [0.8, 0.99], 'eps': 1e-6, 'weight_decay': 0.2}),
    ('adamw/defaults', {'name': 'adamw'}),
    ('adamw/defaults-lr', {'name': 'adamw', 'lr': 0.02}),
    ('adamw/wd', {'name': 'adamw', 'lr': 0.02, 'betas': [0.85, 0.98], 'weight_decay': 2.0}),
    ('adamw/clip', {'name': 'adamw', 'lr': 0.02, 'clip_grad_norm': 0.05}),
    # upstream single-step optimizers
    ('lion/defaults', {'name': 'lion'}),
    ('lion/defaults-lr', {'name': 'lion', 'lr': 3e-3}),
    ('lion/wd', {'name': 'lion', 'lr': 3e-3, 'betas': [0.95, 0.98], 'weight_decay': 5.0}),
    ('grams/defaults-lr', {'name': 'grams', 'lr': 0.02}),
    ('grams/small-eps', {'name': 'grams', 'lr': 0.02, 'eps': 1e-10}),
    ('grams/wd+no-bias-corr', {'name': 'grams', 'lr': 0.01, 'betas': [0.8, 0.99], 'eps': 1e-8, 'weight_decay': 1.0, 'correct_bias': False}),
    ('momo/defaults', {'name': 'momo'}),
    ('momo/capped', {'name': 'momo', 'lr': 0.05}),
    ('momo/bias-correction', {'name': 'momo', 'lr': 1.0, 'beta': 0.8, 'bias_correction': True}),
    ('momo/wd', {'name': 'momo', 'lr': 1.0, 'weight_decay': 0.1}),
    ('momo/fstar', {'name': 'momo', 'lr': 1.0, 'use_fstar': True}),
    ('momo/fstar+bc+wd', {'name': 'momo', 'lr': 1.0, 'use_fstar': True, 'bias_correction': True, 'weight_decay': 0.05}),
    ('momo/lb-above-loss', {'name': 'momo', 'lr': 1.0, 'lb': 5.0}),
    ('momo/clip', {'name': 'momo', 'lr': 1.0, 'clip_grad_norm': 0.1}),
    ('momo-adam/defaults', {'name': 'momo-adam'}),
    ('momo-adam/adaptive', {'name': 'momo-adam', 'lr': 1.0}),
    ('momo-adam/wd-divide', {'name': 'momo-adam', 'lr': 1.0, 'weight_decay': 0.1}),
    ('momo-adam/wd-no-divide', {'name': 'momo-adam', 'lr': 1.0, 'weight_decay': 0.1, 'divide': False}),
    ('momo-adam/fstar', {'name': 'momo-adam', 'lr': 1.0, 'use_fstar': True, 'betas': [0.8, 0.99]}),
    # SAM family
    ('sam/sgd', {'name': 'sam', 'base': SGD_PAPER}),
    ('sam/sgd-rho0.2', {'name': 'sam', 'rho': 0.2, 'base': {'name': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'nesterov': True}}),
    ('sam/rho0=base', {'name': 'sam', 'rho': 0.0, 'base': SGD_M}),
    ('sam/adaptive', {'name': 'sam', 'rho': 0.5, 'adaptive': True, 'base': SGD_PAPER}),
    ('sam/adamw', {'name': 'sam', 'rho': 0.1, 'base': {'name': 'adamw', 'lr': 0.02, 'weight_decay': 0.5}}),
    ('sam/clip', {'name': 'sam', 'rho': 0.1, 'clip_grad_norm': 0.1, 'base': SGD_M}),
    ('sam/lion', {'name': 'sam', 'rho': 0.1, 'base': {'name': 'lion', 'lr': 3e-3, 'weight_decay': 1.0}}),
    ('asam/defaults', {'name': 'asam', 'base': SGD_PAPER}),
    ('asam/grams', {'name': 'asam', 'rho': 1.0, 'eta': 0.1, 'base': {'name': 'grams', 'lr': 0.02, 'weight_decay': 0.1}}),
    ('asam/eta0-adamw', {'name': 'asam', 'rho': 1.0, 'eta': 0.0, 'base': {'name': 'adamw', 'lr': 0.02}}),
    ('gsam/defaults', {'name': 'gsam', 'base': SGD_PAPER}),
    ('gsam/alpha0.9-rho0.3', {'name': 'gsam', 'rho': 0.3, 'alpha': 0.9, 'base': SGD_M}),
    ('gsam/adaptive', {'name': 'gsam', 'rho': 1.0, 'alpha': 0.4, 'adaptive': True, 'base': SGD_PAPER}),
    ('gsam/base-clip', {'name': 'gsam', 'rho': 0.2, 'base': {'name': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'clip_grad_norm': 0.1}}),
    ('gsam/adam', {'name': 'gsam', 'rho': 0.1, 'base': {'name': 'adam', 'lr': 0.02, 'weight_decay': 0.1}}),
    ('gam/defaults', {'name': 'gam', 'base': SGD_PAPER}),
    ('gam/cifar100', {'name': 'gam', 'grad_norm_rho': 0.2, 'grad_rho': 0.02, 'grad_beta_0': 0.5, 'grad_beta_1': 0.6, 'grad_gamma': 0.03, 'base': SGD_PAPER}),
    ('gam/large', {'name': 'gam', 'grad_norm_rho': 0.5, 'grad_rho': 0.1, 'grad_beta_0': 0.5, 'grad_beta_1': 0.3, 'grad_gamma': 0.5, 'base': SGD_M}),
    ('gam/sam-identity', {'name': 'gam', 'grad_rho': 0.1, 'grad_beta_1': 1.0, 'grad_gamma': 0.0, 'base': SGD_M}),
    ('gam/adaptive', {'name': 'gam', 'grad_norm_rho': 0.5, 'grad_rho': 0.3, 'grad_gamma': 0.3, 'adaptive': True, 'base': SGD_PAPER}),
    ('gam/beta0-above-1', {'name': 'gam', 'grad_beta_0': 1.5, 'grad_beta_1': 0.4, 'grad_gamma': 0.3, 'base': SGD_M}),
    ('gam/adamw', {'name': 'gam', 'grad_gamma': 0.2, 'base': {'name': 'adamw', 'lr': 0.02, 'weight_decay': 0.1}}),
    ('gam/clip', {'name': 'gam', 'clip_grad_norm': 0.1, 'base': SGD_M}),
    ('orthograd/sgd', {'name': 'orthograd', 'base': SGD_M}),
    ('orthograd/adamw', {'name': 'orthograd', 'base': {'name': 'adamw', 'lr': 0.02, 'betas': [0.9, 0.99], 'eps': 1e-25}}),
    ('orthograd/lion', {'name': 'orthograd', 'base': {'name': 'lion', 'lr': 3e-3, 'weight_decay': 1.0}}),
    # flatness and regularisation procedures (issue 18); looksam, fgr and bgr have no official code
    ('amp/defaults', {'name': 'amp', 'base': SGD_M}),
    ('amp/two-inner', {'name': 'amp', 'epsilon': 0.05, 'inner_lr': 0.5, 'inner_iter': 2, 'base': SGD_PAPER}),
    ('amp/adamw', {'name': 'amp', 'epsilon': 0.1, 'base': {'name': 'adamw', 'lr': 0.02, 'weight_decay': 0.1}}),
    ('awp/defaults', {'name': 'awp', 'base': SGD_M}),
    ('awp/gamma0.1', {'name': 'awp', 'gamma': 0.1, 'proxy_lr': 0.05, 'base': SGD_PAPER}),
    ('friendly-sam/defaults', {'name': 'friendly-sam', 'base': SGD_M}),
    ('friendly-sam/train-py', {'name': 'friendly-sam', 'rho': 0.2, 'sigma': 1.0, 'lmbda': 0.95, 'base': SGD_PAPER}),
    ('friendly-sam/adaptive', {'name': 'friendly-sam', 'rho': 0.5, 'sigma': 0.5, 'adaptive': True, 'base': SGD_M}),
    ('wsam/defaults', {'name': 'wsam', 'base': SGD_M}),
    ('wsam/coupled', {'name': 'wsam', 'rho': 0.1, 'gamma': 0.7, 'decouple': False, 'base': SGD_PAPER}),
    ('wsam/max-norm', {'name': 'wsam', 'rho': 0.05, 'gamma': 0.5, 'max_norm': 0.5, 'base': SGD_M}),
    ('wsam/adamw', {'name': 'wsam', 'rho': 0.1, 'base': {'name': 'adamw', 'lr': 0.02, 'weight_decay': 0.1}}),
]

PROBLEMS = ['linear-softmax', 'mlp-tanh-mse']
SEEDS = [0, 1]
# each problem kind and seed also runs in its edge form (problems.make_problem(edge=True))
EDGE = [False, True]

# Known-wrong pairs for --self-test: (id, minima block, official block). Each pair is a plausible
# implementation mistake (references/optimizers.md §14); the comparison must flag every one, which
# shows that the tolerance and the settings above can tell these rules apart.
MUTANTS: list[tuple[str, dict, dict]] = [
    ('adam-l2 vs adamw', {'name': 'adam', 'lr': 0.02, 'weight_decay': 0.2}, {'name': 'adamw', 'lr': 0.02, 'weight_decay': 0.2}),
    ('sgdw vs sgd l2', {'name': 'sgdw', 'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.5}, {'name': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.5}),
    ('sgd no dampening', {'name': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'dampening': 0.0}, {'name': 'sgd', 'lr': 0.1, 'momentum': 0.9, 'dampening': 0.1}),
    ('lion without wd', {'name': 'lion', 'lr': 3e-3}, {'name': 'lion', 'lr': 3e-3, 'weight_decay': 1.0}),
    ('lion swapped betas', {'name': 'lion', 'lr': 3e-3, 'betas': [0.99, 0.9]}, {'name': 'lion', 'lr': 3e-3, 'betas': [0.9, 0.99]}),
    ('grams eps 1e-8', {'name': 'grams', 'lr': 0.02, 'eps': 1e-8}, {'name': 'grams', 'lr': 0.02}),
    ('momo no bias correction', {'name': 'momo', 'lr': 1.0}, {'name': 'momo', 'lr': 1.0, 'bias_correction': True}),
    ('momo-adam divide flipped', {'name': 'momo-adam', 'lr': 1.0, 'weight_decay': 0.1, 'divide': False},
     {'name': 'momo-adam', 'lr': 1.0, 'weight_decay': 0.1}),
    ('sam vs its base', {'name': 'sam', 'base': SGD_PAPER}, SGD_PAPER),
    ('sam adaptive vs asam (no eta, every tensor)', {'name': 'sam', 'rho': 0.5, 'adaptive': True, 'base': SGD_PAPER},
     {'name': 'asam', 'rho': 0.5, 'eta': 0.0, 'base': SGD_PAPER}),
    ('asam without eta', {'name': 'asam', 'eta': 0.0, 'base': SGD_PAPER}, {'name': 'asam', 'base': SGD_PAPER}),
    ('gsam alpha 0 (= sam)', {'name': 'gsam', 'alpha': 0.0, 'rho': 0.3, 'base': SGD_M}, {'name': 'gsam', 'rho': 0.3, 'base': SGD_M}),
    ('gam paper h-minus', {'name': 'gam', 'paper_h_minus': True, 'grad_beta_0': 0.5, 'grad_gamma': 0.5, 'base': SGD_M},
     {'name': 'gam', 'grad_beta_0': 0.5, 'grad_gamma': 0.5, 'base': SGD_M}),
    ('gam betas swapped', {'name': 'gam', 'grad_beta_0': 0.3, 'grad_beta_1': 0.5, 'grad_gamma': 0.3, 'base': SGD_M},
     {'name': 'gam', 'grad_beta_0': 0.5, 'grad_beta_1': 0.3, 'grad_gamma': 0.3, 'base': SGD_M}),
    ('orthograd vs its base', {'name': 'orthograd', 'base': SGD_M}, SGD_M),
    # flatness and regularisation procedures (issue 18)
    ('friendly-sam sigma 0 (= sam)', {'name': 'friendly-sam', 'sigma': 0.0, 'rho': 0.2, 'base': SGD_M}, {'name': 'friendly-sam', 'rho': 0.2, 'base': SGD_M}),
    ('wsam coupled vs decoupled', {'name': 'wsam', 'decouple': False, 'base': SGD_M}, {'name': 'wsam', 'base': SGD_M}),
    ('amp without its ball', {'name': 'amp', 'epsilon': 100.0, 'base': SGD_M}, {'name': 'amp', 'base': SGD_M}),
    ('awp vs its base', {'name': 'awp', 'gamma': 0.0, 'base': SGD_M}, {'name': 'awp', 'gamma': 0.1, 'base': SGD_M}),
]
