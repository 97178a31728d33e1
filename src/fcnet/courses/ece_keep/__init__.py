"""UCLA ECE C147/C247 with the templates whose HW4 ``dropout_forward`` says "We keep each neuron output with
probability p" (2020-2021, and some later copies): the modules of :mod:`fcnet.courses.ece`, with dropout's p (and
``FullyConnectedNet(dropout=p)``) the KEEP probability, dropout=0 still meaning no dropout, and the mask
``np.random.rand(*x.shape) < p`` scaled by 1 / p.

A student tells which package they need from the docstring of ``dropout_forward`` in their own
``nndl/layers.py``: "We drop ..." is :mod:`fcnet.courses.ece`, "We keep ..." is this one.
"""
