"""cs231n assignments 1 and 2 as taught in 2017 (the ``cs231n`` package of that year).

What differs from :mod:`fcnet.courses.cs231n`: dropout's p is the probability of DROPPING a unit (0 means no
dropout) and FullyConnectedNet takes ``use_batchnorm=True`` instead of ``normalization='batchnorm'``. Weights and
masks come from NumPy's global generator, as in the course.
"""
