import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")


@pytest.fixture
def rng():
    return np.random.default_rng(231)


def away_from_zero(a: np.ndarray, margin: float = 0.05) -> np.ndarray:
    """Push values out of (-margin, margin), so that finite differences never straddle a ReLU kink."""
    return np.where(np.abs(a) < margin, np.sign(a + 1e-12) * margin + a, a)
