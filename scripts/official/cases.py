"""The optimizer settings compared with the official code: (case id, minima `optimizer:` block).

Each block is exactly what minima receives; official.py translates it, passing only the keys the
block sets, so omitted values compare minima's defaults with the official defaults too.
Settings are chosen so each option changes the trajectory visibly within 20 steps (large enough
weight decay, clipping thresholds below the gradient norm, lr = 1 for MoMo's adaptive branch).

A block may carry `_problem`: keys merged into the problem file instead of the optimizer block
(`loss`, `ema`, `steps_per_epoch`: a loss with an EMA teacher, MESA). Such a case runs on the
classification problem (linear-softmax) only.
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
    # MESA (a loss with an EMA teacher, timm ModelEmaV2: ema warmup "none"); the optimizer block is the base
    ('mesa/defaults', {**SGD_M, '_problem': {'loss': {'name': 'mesa', 'kl_start_epoch': 0}, 'ema': {'decay': 0.9, 'warmup': 'none'}}}),
    ('mesa/default-decay', {**SGD_M, '_problem': {'loss': {'name': 'mesa', 'kl_start_epoch': 0}, 'ema': {'warmup': 'none'}}}),
    ('mesa/run-sh-window', {**SGD_PAPER, '_problem': {'loss': {'name': 'mesa', 'reinforce': 0.8, 'temperature': 5, 'kl_start_epoch': 2, 'kl_end_epoch': 8},
                                                      'ema': {'decay': 0.8, 'warmup': 'none'}, 'steps_per_epoch': 2}}),
    ('mesa/adamw-t2', {'name': 'adamw', 'lr': 0.02, 'weight_decay': 0.1,
                       '_problem': {'loss': {'name': 'mesa', 'reinforce': 1.0, 'temperature': 2, 'kl_start_epoch': 1}, 'ema': {'decay': 0.95, 'warmup': 'none'}}}),
    ('wsam/defaults', {'name': 'wsam', 'base': SGD_M}),
    ('wsam/coupled', {'name': 'wsam', 'rho': 0.1, 'gamma': 0.7, 'decouple': False, 'base': SGD_PAPER}),
    ('wsam/max-norm', {'name': 'wsam', 'rho': 0.05, 'gamma': 0.5, 'max_norm': 0.5, 'base': SGD_M}),
    ('wsam/adamw', {'name': 'wsam', 'rho': 0.1, 'base': {'name': 'adamw', 'lr': 0.02, 'weight_decay': 0.1}}),
    # tier 2: classic baselines (issue 21), torch.optim
    ('rmsprop/defaults', {'name': 'rmsprop'}),
    ('rmsprop/momentum', {'name': 'rmsprop', 'lr': 0.01, 'momentum': 0.5, 'eps': 1e-6}),
    ('rmsprop/centered+momentum+wd', {'name': 'rmsprop', 'lr': 0.005, 'alpha': 0.9, 'centered': True, 'momentum': 0.9, 'weight_decay': 0.1}),
    ('rmsprop/clip', {'name': 'rmsprop', 'lr': 0.01, 'centered': True, 'clip_grad_norm': 0.1}),
    ('adagrad/defaults', {'name': 'adagrad'}),
    ('adagrad/lr_decay+init+wd', {'name': 'adagrad', 'lr': 0.1, 'lr_decay': 0.05, 'initial_accumulator_value': 0.1, 'weight_decay': 0.05}),
    ('adagrad/eps', {'name': 'adagrad', 'lr': 0.05, 'eps': 1e-4}),
    ('adadelta/defaults', {'name': 'adadelta'}),
    ('adadelta/rho+wd', {'name': 'adadelta', 'lr': 0.5, 'rho': 0.8, 'eps': 1e-5, 'weight_decay': 0.1}),
    ('adamax/defaults', {'name': 'adamax'}),
    ('adamax/wd', {'name': 'adamax', 'lr': 0.02, 'betas': [0.8, 0.99], 'weight_decay': 0.2}),
    ('nadam/defaults', {'name': 'nadam'}),
    ('nadam/lr', {'name': 'nadam', 'lr': 0.02}),
    ('nadam/l2+psi', {'name': 'nadam', 'lr': 0.02, 'betas': [0.8, 0.99], 'weight_decay': 0.2, 'momentum_decay': 0.02}),
    ('nadam/decoupled', {'name': 'nadam', 'lr': 0.02, 'weight_decay': 0.5, 'decoupled_weight_decay': True}),
    ('radam/defaults', {'name': 'radam'}),
    ('radam/lr', {'name': 'radam', 'lr': 0.02}),
    ('radam/l2+beta2', {'name': 'radam', 'lr': 0.02, 'betas': [0.8, 0.9], 'weight_decay': 0.1}),
    ('radam/decoupled', {'name': 'radam', 'lr': 0.02, 'weight_decay': 0.5, 'decoupled_weight_decay': True}),
    ('adam/amsgrad+l2', {'name': 'adam', 'lr': 0.02, 'amsgrad': True, 'weight_decay': 0.1}),
    ('adamw/amsgrad', {'name': 'adamw', 'lr': 0.02, 'betas': [0.9, 0.9], 'amsgrad': True}),
    ('asgd/defaults', {'name': 'asgd'}),
    ('asgd/decay+wd', {'name': 'asgd', 'lr': 0.1, 'lambd': 0.05, 'alpha': 0.5, 't0': 5, 'weight_decay': 0.05}),
    # no PyTorch code from the authors (MXNet): the glue SignReference
    ('sign-sgd/defaults', {'name': 'sign-sgd'}),
    ('sign-sgd/wd', {'name': 'sign-sgd', 'lr': 0.005, 'weight_decay': 0.1, 'wd_lh': 0.5}),
    ('signum/defaults', {'name': 'signum'}),
    ('signum/wd', {'name': 'signum', 'lr': 0.05, 'momentum': 0.5, 'weight_decay': 0.1, 'wd_lh': 0.5}),
    ('signum/oscillating', {'name': 'signum', 'lr': 0.1, 'momentum': 0.95}),
    # tier 2: large batch and scale-invariant (issue 21)
    ('lamb/defaults', {'name': 'lamb'}),
    ('lamb/lr+wd', {'name': 'lamb', 'lr': 0.02, 'weight_decay': 0.1}),
    ('lamb/adapt-biases', {'name': 'lamb', 'lr': 0.02, 'weight_decay': 0.05, 'exclude_bias_and_norm': False, 'betas': [0.8, 0.99]}),
    ('lamb/clamp-bites', {'name': 'lamb', 'lr': 0.02, 'clamp_value': 10}),
    ('lamb/bias-correction', {'name': 'lamb', 'lr': 0.02, 'weight_decay': 0.1, 'bias_correction': True, 'clamp_value': None}),
    ('lamb/clip', {'name': 'lamb', 'lr': 0.02, 'clip_grad_norm': 0.1}),
    ('lars/defaults', {'name': 'lars'}),
    ('lars/wd+momentum', {'name': 'lars', 'lr': 1.0, 'momentum': 0.9, 'weight_decay': 0.01}),
    ('lars/always-adapt', {'name': 'lars', 'lr': 2.0, 'always_adapt': True, 'trust_coeff': 0.02}),
    ('lars/trust-clip+nesterov', {'name': 'lars', 'lr': 0.5, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0.05, 'trust_clip': True, 'trust_coeff': 0.05}),
    ('lars/adapt-biases', {'name': 'lars', 'lr': 1.0, 'weight_decay': 0.01, 'exclude_bias_and_norm': False, 'momentum': 0.5}),
    ('adamp/defaults', {'name': 'adamp'}),
    ('adamp/lr+wd', {'name': 'adamp', 'lr': 0.02, 'weight_decay': 0.5}),
    ('adamp/delta-large', {'name': 'adamp', 'lr': 0.02, 'delta': 1.0, 'wd_ratio': 0.5, 'weight_decay': 0.5, 'nesterov': True}),
    ('sgdp/defaults', {'name': 'sgdp'}),
    ('sgdp/momentum+wd', {'name': 'sgdp', 'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.05}),
    ('sgdp/delta-large', {'name': 'sgdp', 'lr': 0.1, 'momentum': 0.5, 'dampening': 0.2, 'delta': 1.0, 'wd_ratio': 0.3, 'weight_decay': 0.1, 'nesterov': False}),
    ('sgdp/nesterov', {'name': 'sgdp', 'lr': 0.1, 'momentum': 0.9, 'nesterov': True, 'delta': 1.0}),
    # tier 2: the cautious wrapper (issue 21), C-Optim
    ('cautious/lion', {'name': 'cautious', 'normalize': 'count', 'base': {'name': 'lion', 'lr': 3e-3, 'betas': [0.95, 0.98]}}),
    ('cautious/lion-wd', {'name': 'cautious', 'normalize': 'count', 'base': {'name': 'lion', 'lr': 3e-3, 'weight_decay': 2.0}}),
    ('cautious/adamw', {'name': 'cautious', 'base': {'name': 'adamw', 'lr': 0.02, 'eps': 1e-30, 'weight_decay': 0}}),
    ('cautious/adamw-wd', {'name': 'cautious', 'base': {'name': 'adamw', 'lr': 0.02, 'eps': 1e-30, 'betas': [0.8, 0.99], 'weight_decay': 1.0}}),
    # tier 2: modern (issue 21)
    ('adopt/defaults', {'name': 'adopt'}),
    ('adopt/lr+l2', {'name': 'adopt', 'lr': 0.02, 'weight_decay': 0.1, 'betas': [0.8, 0.99]}),
    ('adopt/decoupled', {'name': 'adopt', 'lr': 0.02, 'weight_decay': 1.0, 'decouple': True}),
    ('adopt/no-clip', {'name': 'adopt', 'lr': 0.02, 'clip_exponent': None, 'eps': 1e-4}),
    ('adabelief/defaults', {'name': 'adabelief'}),
    ('adabelief/lr+wd', {'name': 'adabelief', 'lr': 0.02, 'weight_decay': 0.5, 'betas': [0.9, 0.9]}),
    ('adabelief/no-rectify+l2', {'name': 'adabelief', 'lr': 0.02, 'rectify': False, 'weight_decouple': False, 'weight_decay': 0.1, 'eps': 1e-8}),
    ('adabelief/fixed-decay', {'name': 'adabelief', 'lr': 0.02, 'weight_decay': 0.01, 'fixed_decay': True, 'betas': [0.8, 0.95]}),
    ('grokfast/ema-adamw', {'name': 'grokfast', 'base': {'name': 'adamw', 'lr': 0.02, 'weight_decay': 0.5}}),
    ('grokfast/ema-sgd', {'name': 'grokfast', 'alpha': 0.8, 'lamb': 1.0, 'base': SGD_M}),
    ('grokfast/ma-warmup', {'name': 'grokfast', 'filter': 'ma', 'window_size': 5, 'lamb': 2.0, 'base': SGD_M}),
    ('grokfast/ma-sum-nowarmup', {'name': 'grokfast', 'filter': 'ma', 'window_size': 4, 'filter_type': 'sum', 'warmup': False, 'lamb': 0.5, 'base': {'name': 'adam', 'lr': 0.02}}),
    # tier 2: modern and learning-rate-free (issue 21, second part)
    ('adan/defaults', {'name': 'adan'}),
    ('adan/lr+betas', {'name': 'adan', 'lr': 0.02, 'betas': [0.9, 0.8, 0.95]}),
    ('adan/prox-wd', {'name': 'adan', 'lr': 0.02, 'weight_decay': 0.5}),
    ('adan/no-prox-wd', {'name': 'adan', 'lr': 0.02, 'weight_decay': 0.5, 'no_prox': True}),
    ('adan/max-grad-norm', {'name': 'adan', 'lr': 0.02, 'max_grad_norm': 0.05}),
    ('muon/defaults', {'name': 'muon'}),
    ('muon/wd', {'name': 'muon', 'lr': 0.02, 'weight_decay': 0.5, 'adam_lr': 0.01, 'adam_weight_decay': 0.5}),
    ('muon/momentum+betas', {'name': 'muon', 'lr': 0.03, 'momentum': 0.8, 'adam_lr': 0.02, 'adam_betas': [0.8, 0.99], 'adam_eps': 1e-8}),
    ('schedule-free-sgd/defaults', {'name': 'schedule-free-sgd'}),
    ('schedule-free-sgd/lr', {'name': 'schedule-free-sgd', 'lr': 0.2}),
    ('schedule-free-sgd/warmup+wd', {'name': 'schedule-free-sgd', 'lr': 0.5, 'momentum': 0.8, 'warmup_steps': 5, 'weight_decay': 0.05}),
    ('schedule-free-sgd/r', {'name': 'schedule-free-sgd', 'lr': 0.2, 'r': 1.0, 'weight_lr_power': 0.0}),
    ('schedule-free-adamw/defaults', {'name': 'schedule-free-adamw'}),
    ('schedule-free-adamw/lr+warmup', {'name': 'schedule-free-adamw', 'lr': 0.02, 'warmup_steps': 5}),
    ('schedule-free-adamw/wd+inner', {'name': 'schedule-free-adamw', 'lr': 0.02, 'weight_decay': 0.1, 'inner_momentum': 0.5, 'betas': [0.8, 0.99]}),
    ('schedule-free-adamw/r', {'name': 'schedule-free-adamw', 'lr': 0.02, 'r': 0.5, 'weight_lr_power': 1.0, 'warmup_steps': 3}),
    ('prodigy/defaults', {'name': 'prodigy'}),
    ('prodigy/bc+safeguard', {'name': 'prodigy', 'use_bias_correction': True, 'safeguard_warmup': True}),
    ('prodigy/decoupled-wd', {'name': 'prodigy', 'weight_decay': 0.5, 'use_bias_correction': True, 'safeguard_warmup': True, 'd0': 1e-3}),
    ('prodigy/coupled-wd', {'name': 'prodigy', 'weight_decay': 0.1, 'decouple': False, 'lr': 0.3}),
    ('prodigy/growth+dcoef+beta3', {'name': 'prodigy', 'growth_rate': 1.5, 'd_coef': 2.0, 'beta3': 0.9, 'd0': 1e-4}),
    ('prodigy/beta1-0', {'name': 'prodigy', 'betas': [0.0, 0.99], 'd0': 1e-3}),
    ('dadapt-adam/defaults-lr', {'name': 'dadapt-adam', 'lr': 0.5}),
    ('dadapt-adam/bc+d0', {'name': 'dadapt-adam', 'use_bias_correction': True, 'd0': 1e-3}),
    ('dadapt-adam/decoupled-wd', {'name': 'dadapt-adam', 'decouple': True, 'weight_decay': 1.0, 'lr': 0.2}),
    ('dadapt-adam/coupled-wd+growth', {'name': 'dadapt-adam', 'weight_decay': 0.1, 'growth_rate': 1.5, 'd0': 1e-3, 'betas': [0.8, 0.99], 'lr': 0.3}),
    ('dadapt-sgd/defaults', {'name': 'dadapt-sgd'}),
    ('dadapt-sgd/momentum', {'name': 'dadapt-sgd', 'momentum': 0.9, 'd0': 1e-3}),
    ('dadapt-sgd/wd+growth', {'name': 'dadapt-sgd', 'weight_decay': 0.1, 'growth_rate': 1.2, 'd0': 1e-2, 'lr': 0.5}),
    # svd with the state-free rule sgd or no: signSGD's sign(G − A·Aᵀ·G) is the sign of rounding noise wherever the
    # rank covers the gradient (softmax gradients have rank ≤ classes − 1), and torch float32 and float64 then differ 45×
    ('frugal/galore-svd+sgd', {'name': 'frugal', 'projection': 'galore', 'lr': 0.02, 'density': 0.5, 'update_gap': 5, 'inactive_update_rule': 'sgd'}),
    ('frugal/galore-svd-wd+scales', {'name': 'frugal', 'projection': 'galore', 'lr': 0.02, 'density': 0.5, 'update_gap': 4, 'weight_decay': 0.5,
                                     'proj_params_lr_scale': 0.5, 'inactive_update_rule': 'sgd', 'inactive_lr_scale': 0.3, 'betas': [0.8, 0.99]}),
    ('frugal/galore-svd-reverse+no', {'name': 'frugal', 'projection': 'galore', 'lr': 0.02, 'density': 0.3, 'update_gap': 5, 'proj_side': 'reverse_std',
                                      'inactive_update_rule': 'no'}),
    ('frugal/coord-all-columns', {'name': 'frugal', 'projection': 'coord', 'lr': 0.02, 'density': 1.0, 'update_gap': 5}),
    ('frugal/coord-all-randk', {'name': 'frugal', 'projection': 'coord', 'coord_choice': 'randk', 'lr': 0.02, 'density': 1.0, 'update_gap': 5}),
    # block (BlockAdamW): ρ 1 keeps every tensor whatever the draw; the walking orders are deterministic
    ('frugal/block-all', {'name': 'frugal', 'lr': 0.02, 'density': 1.0, 'update_gap': 3}),
    ('frugal/block-ascending', {'name': 'frugal', 'lr': 0.02, 'density': 0.5, 'update_gap': 2, 'block_order': 'ascending'}),
    ('frugal/block-descending-wd+scales', {'name': 'frugal', 'lr': 0.02, 'density': 0.5, 'update_gap': 3, 'block_order': 'descending', 'weight_decay': 0.5,
                                           'proj_params_lr_scale': 0.5, 'inactive_update_rule': 'sgd', 'inactive_lr_scale': 0.3, 'betas': [0.8, 0.99]}),
    # mirror at ρ 1: linear-softmax has 2 tensors, so ρ 0.5 would be an odd count (its walk is tested by hand in seed-papers.test.ts)
    ('frugal/block-mirror-all-roles', {'name': 'frugal', 'lr': 0.02, 'density': 1.0, 'update_gap': 2, 'block_order': 'mirror', 'state_full_roles': []}),
    ('frugal/block-ascending-all-roles+no', {'name': 'frugal', 'lr': 0.02, 'density': 0.25, 'update_gap': 2, 'block_order': 'ascending',
                                            'state_full_roles': [], 'inactive_update_rule': 'no'}),
    ('polyak-sgd/defaults-capped', {'name': 'polyak-sgd', 'max_learning_rate': 0.5}),
    ('polyak-sgd/capped', {'name': 'polyak-sgd', 'max_learning_rate': 0.1}),
    ('polyak-sgd/fmin+eps', {'name': 'polyak-sgd', 'f_min': 0.05, 'eps': 1e-3, 'max_learning_rate': 0.5}),
    ('polyak-sgd/sps+-above', {'name': 'polyak-sgd', 'f_min': 5.0, 'variant': 'sps+'}),
    ('polyak-sgd/scaling', {'name': 'polyak-sgd', 'lr': 0.5, 'max_learning_rate': 2.0}),
    ('polyak-sgd/clip', {'name': 'polyak-sgd', 'clip_grad_norm': 0.1}),
    # tier 2: second-order (issue 21); torch.optim.LBFGS
    ('lbfgs/defaults', {'name': 'lbfgs'}),
    ('lbfgs/fixed-step', {'name': 'lbfgs', 'lr': 0.2, 'max_iter': 3, 'history_size': 3}),
    ('lbfgs/strong-wolfe', {'name': 'lbfgs', 'line_search_fn': 'strong_wolfe', 'max_iter': 3, 'history_size': 4, 'tolerance_change': 1e-6}),
    ('sophia/gnb-k2', {'name': 'sophia', 'lr': 0.02, 'k': 2}),
    ('sophia/gnb-at-start', {'name': 'sophia', 'lr': 0.02, 'rho': 0.1, 'k': 3, 'update_at_start': True, 'betas': [0.9, 0.95], 'weight_decay': 0.5}),
    ('sophia/gnb-bs-clip', {'name': 'sophia', 'lr': 0.05, 'k': 1, 'bs': 64, 'clip_grad_norm': 0.5, 'seed': 3}),
    ('lbfgs/clip', {'name': 'lbfgs', 'lr': 0.5, 'max_iter': 4, 'history_size': 3, 'clip_grad_norm': 0.3}),
    ('lbfgs/strong-wolfe-eval-cap', {'name': 'lbfgs', 'line_search_fn': 'strong_wolfe', 'max_iter': 10, 'max_eval': 4, 'history_size': 2, 'tolerance_change': 1e-6}),
]

# Optimizers whose matrices are compared relative to the tensor's largest |official| element instead of
# element by element. Muon's step is Newton–Schulz's U·S'·Vᵀ, a function of the whole matrix, whose
# float32 error is a fraction of the update's scale spread over every element: its five quintic steps
# multiply a rank-deficient gradient's rounding-level singular direction by ~485 (softmax gradients
# have rank ≤ classes − 1). Measured on 20 such 3 × 5 matrices, the same float32 input, against float64:
# max|error|/max|output| torch 8.2e-6, minima cpu 7.7e-6, wasm 8.3e-6, while the elementwise error
# (floor 1e-3) of near-zero outputs reaches 7.6e-4 in torch float32 itself and 1.2e-3 in minima cpu
# (the official dtype, bfloat16: 0.56 of the scale). An elementwise bound on a parameter crossing zero
# measures that rounding, not the rule (scripts/official/README.md, "Muon and the elementwise bound").
TENSOR_SCALE = {'muon'}

PROBLEMS = ['linear-softmax', 'mlp-tanh-mse']
SEEDS = [0, 1]
# each problem kind and seed also runs in its edge form (problems.make_problem(edge=True))
EDGE = [False, True]

# Known-wrong pairs for --self-test: (id, minima block, official block). Each pair is a plausible
# implementation mistake (references/optimizers.md §14); the comparison must flag every one, which
# shows that the tolerance and the settings above can tell these rules apart.
# Steps compared for cases whose float32 trajectory leaves float64 early (default: --steps). One L-BFGS
# step is up to max_iter quasi-Newton iterations: within a few steps the runs near a minimum, where
# float32 torch itself moves O(1) away from float64 (measured in README.md), so later steps compare rounding.
CASE_STEPS: dict[str, int] = {
    'lbfgs/defaults': 1,
    'lbfgs/fixed-step': 6,
    'lbfgs/strong-wolfe': 8,
    'lbfgs/strong-wolfe-eval-cap': 6,
    'lbfgs/clip': 1,  # clipped gradients are no longer the loss's: L-BFGS diverges after (torch float32 too)
}

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
    ('mesa teacher with a first copy (ModelEmaV3)', {**SGD_M, '_problem': {'loss': {'name': 'mesa', 'kl_start_epoch': 0}, 'ema': {'decay': 0.9, 'warmup': False}}},
     {**SGD_M, '_problem': {'loss': {'name': 'mesa', 'kl_start_epoch': 0}, 'ema': {'decay': 0.9, 'warmup': 'none'}}}),
    ('mesa window from kl_start_epoch (not after)', {**SGD_M, '_problem': {'loss': {'name': 'mesa', 'kl_start_epoch': 0}, 'ema': {'decay': 0.9, 'warmup': 'none'}}},
     {**SGD_M, '_problem': {'loss': {'name': 'mesa', 'kl_start_epoch': 1}, 'ema': {'decay': 0.9, 'warmup': 'none'}}}),
    # tier 2: classic baselines (issue 21)
    ('rmsprop not centered', {'name': 'rmsprop', 'lr': 0.01}, {'name': 'rmsprop', 'lr': 0.01, 'centered': True}),
    ('adagrad without lr_decay', {'name': 'adagrad', 'lr': 0.1}, {'name': 'adagrad', 'lr': 0.1, 'lr_decay': 0.05}),
    ('nadam coupled vs decoupled', {'name': 'nadam', 'lr': 0.02, 'weight_decay': 0.5},
     {'name': 'nadam', 'lr': 0.02, 'weight_decay': 0.5, 'decoupled_weight_decay': True}),
    ('radam vs adam', {'name': 'adam', 'lr': 0.02}, {'name': 'radam', 'lr': 0.02}),
    ('adamw without amsgrad', {'name': 'adamw', 'lr': 0.02, 'betas': [0.9, 0.9]}, {'name': 'adamw', 'lr': 0.02, 'betas': [0.9, 0.9], 'amsgrad': True}),
    ('lamb trust ratio 1 (= adam-type)', {'name': 'lamb', 'lr': 0.02, 'exclude_bias_and_norm': False, 'clamp_value': 1e-9},
     {'name': 'lamb', 'lr': 0.02, 'exclude_bias_and_norm': False}),
    ('lars without adaptation', {'name': 'sgd', 'lr': 1.0, 'momentum': 0.9, 'weight_decay': 0.01},
     {'name': 'lars', 'lr': 1.0, 'momentum': 0.9, 'weight_decay': 0.01}),
    ('adamp vs adamw (no projection)', {'name': 'adamw', 'lr': 0.02, 'weight_decay': 0.5},
     {'name': 'adamp', 'lr': 0.02, 'weight_decay': 0.5, 'delta': 1.0}),
    ('cautious vs its base', {'name': 'adamw', 'lr': 0.02, 'eps': 1e-30, 'weight_decay': 0},
     {'name': 'cautious', 'base': {'name': 'adamw', 'lr': 0.02, 'eps': 1e-30, 'weight_decay': 0}}),
    ('cautious lion decay masked', {'name': 'cautious', 'normalize': 'count', 'base': {'name': 'lion', 'lr': 3e-3}},
     {'name': 'cautious', 'normalize': 'count', 'base': {'name': 'lion', 'lr': 3e-3, 'weight_decay': 2.0}}),
    ('adopt without its first-step skip (= adam-like)', {'name': 'adam', 'lr': 0.02, 'betas': [0.9, 0.9999]}, {'name': 'adopt', 'lr': 0.02}),
    ('adabelief not rectified', {'name': 'adabelief', 'lr': 0.02, 'rectify': False, 'betas': [0.9, 0.9]}, {'name': 'adabelief', 'lr': 0.02, 'betas': [0.9, 0.9]}),
    ('signum vs sign-sgd', {'name': 'signum', 'lr': 0.1}, {'name': 'sign-sgd', 'lr': 0.1}),
    # tier 2: modern and learning-rate-free (issue 21, second part)
    ('adan proximal vs no_prox decay', {'name': 'adan', 'lr': 0.02, 'weight_decay': 0.5}, {'name': 'adan', 'lr': 0.02, 'weight_decay': 0.5, 'no_prox': True}),
    ('muon without its orthogonalisation (= sgd-nesterov kernels)', {'name': 'muon', 'ns_steps': 0}, {'name': 'muon'}),
    # judged at the tensor's scale (TENSOR_SCALE), one Newton–Schulz step fewer must still show
    ('muon with 4 Newton–Schulz steps instead of 5', {'name': 'muon', 'ns_steps': 4}, {'name': 'muon'}),
    ('muon with momentum 0.94 instead of 0.95', {'name': 'muon', 'momentum': 0.94}, {'name': 'muon'}),
    ('schedule-free-sgd c = 1 (no averaging)', {'name': 'schedule-free-sgd', 'lr': 0.2, 'weight_lr_power': 0.0, 'r': 50.0}, {'name': 'schedule-free-sgd', 'lr': 0.2}),
    ('prodigy without safeguard', {'name': 'prodigy', 'use_bias_correction': True}, {'name': 'prodigy', 'use_bias_correction': True, 'safeguard_warmup': True}),
    ('dadapt-adam coupled vs decoupled', {'name': 'dadapt-adam', 'weight_decay': 0.5, 'd0': 1e-3}, {'name': 'dadapt-adam', 'decouple': True, 'weight_decay': 0.5, 'd0': 1e-3}),
    ('polyak sps vs sps+ above the loss', {'name': 'polyak-sgd', 'f_min': 5.0}, {'name': 'polyak-sgd', 'f_min': 5.0, 'variant': 'sps+'}),
    ('sophia bs 1 vs labels drawn', {'name': 'sophia', 'lr': 0.02, 'k': 2, 'bs': 1}, {'name': 'sophia', 'lr': 0.02, 'k': 2}),
    ('lbfgs fixed step vs strong-Wolfe', {'name': 'lbfgs', 'max_iter': 3, 'history_size': 3}, {'name': 'lbfgs', 'max_iter': 3, 'history_size': 3, 'line_search_fn': 'strong_wolfe'}),
    # FRUGAL block: the walking order, and a tensor keeping its moments across a refresh (update_gap 4 vs the official 2,
    # with ρ 1: the same tensors, only the restarts differ)
    ('frugal block ascending vs descending', {'name': 'frugal', 'lr': 0.02, 'density': 0.25, 'update_gap': 2, 'block_order': 'ascending', 'state_full_roles': []},
     {'name': 'frugal', 'lr': 0.02, 'density': 0.25, 'update_gap': 2, 'block_order': 'descending', 'state_full_roles': []}),
    ('frugal block no restart of staying tensors', {'name': 'frugal', 'lr': 0.02, 'density': 1.0, 'update_gap': 4},
     {'name': 'frugal', 'lr': 0.02, 'density': 1.0, 'update_gap': 2}),
]
