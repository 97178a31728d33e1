"""Course compatibility: each course's module layout and conventions, built on fcnet's kernels.

A notebook written for one of these courses runs with only its imports changed:

| course code | import becomes |
| --- | --- |
| cs231n (Stanford CS231n, 2018 on): ``cs231n.layers``, ``layer_utils``, ``classifiers.fc_net``, ``classifiers.neural_net``, ``optim``, ``solver``, ``gradient_check``, ``data_utils``, ``vis_utils`` | ``fcnet.courses.cs231n.*`` |
| cs231n 2017 (``use_batchnorm``, dropout p = drop probability) | ``fcnet.courses.cs231n_2017.*`` |
| daseCV (ECNU, 2021): ``daseCV.classifiers.neural_net``, ``data_utils``, ``vis_utils``, ``gradient_check`` | ``fcnet.courses.dasecv.*`` |
| cs231n 2025 (FullyConnectedNets in assignment 1, ``save(fname)`` / ``load(fname)``) | ``fcnet.courses.cs231n.*`` |
| UCLA ECE C147/C247 (dropout p = drop probability, "We drop each neuron output with probability p"): ``nndl.neural_net``, ``nndl.fc_net``, ``nndl.layers``, ``nndl.layer_utils``, ``nndl.optim``; ``utils.data_utils``, ``utils.gradient_check``, ``utils.solver``, ``utils.vis_utils`` | ``fcnet.courses.ece.nndl.*``, ``fcnet.courses.ece.utils.*`` |
| UCLA ECE C147/C247 templates that say "We keep each neuron output with probability p" | ``fcnet.courses.ece_keep.*`` |
| "Deep Learning from Scratch" (O'Reilly Japan, 2016), chapters 5-6: ``common.*``, ``dataset.mnist``, ``ch05.two_layer_net`` | ``fcnet.courses.dlfs.*`` |
| the MNIST MLP optimizer homework (bilibili 《数之道》): ``from utils import load_mnist`` and the notebook's own definitions | ``fcnet.courses.mnist_mlp`` |

What the course packages change and nothing more: weights (and dropout masks) come from NumPy's global generator
in the course's order, so ``np.random.seed(231)`` reproduces a notebook's printed numbers; dropout's p means what
the course says (keep probability from cs231n 2018, drop probability in cs231n 2017 and ECE C147, whose
keep-probability templates have their own package); names,
signatures, weight layouts, L2 factors and optimizer state keys are the course's. The native API
(:mod:`fcnet`) keeps its own conventions: p = drop probability, ``seed=``, (D, H) weights.
"""
