""" "Deep Learning from Scratch" (斎藤康毅, O'Reilly Japan, 2016; the oreilly-japan/deep-learning-from-scratch
repository and its Korean and Chinese editions), chapters 5 and 6: the book's ``common``, ``dataset`` and ``ch05``
packages over fcnet's kernels.

A script of the book runs with only its imports changed: ``from common.layers import *`` becomes
``from fcnet.courses.dlfs.common.layers import *``, ``from dataset.mnist import load_mnist`` becomes
``from fcnet.courses.dlfs.dataset.mnist import load_mnist``, ``from two_layer_net import TwoLayerNet`` (in ch05)
becomes ``from fcnet.courses.dlfs.ch05.two_layer_net import TwoLayerNet``; the ``sys.path.append(os.pardir)``
line may stay.

The book's conventions hold here: weights drawn with ``np.random.randn`` from NumPy's global generator in the
book's order (so ``np.random.seed(0)`` fixes a run), dropout NOT inverted (``Dropout(dropout_ratio)`` zeroes units
with probability dropout_ratio in training and scales by ``1 - dropout_ratio`` at test time), batch norm's epsilon
1e-6 (the book's ``10e-7``) and momentum 0.9, the loss ``cross_entropy_error`` with ``+ 1e-7`` inside the log, the
optimizers' epsilon 1e-7, Nesterov in the order the book's repository has used since 2021. Two slips of the book's
code are not copied: ``MultiLayerNet.accuracy`` assigns the argmax of one-hot labels to an unused ``T`` (so
one-hot labels scored 0), and ``relu_grad`` is kept as written (1 at x == 0).
"""
