import numpy as np
import pandas as pd
import pytest

from mlproject.drift import any_drift, detect_drift


def test_same_distribution_has_no_drift():
    rng = np.random.default_rng(0)
    reference = pd.DataFrame({"x": rng.normal(0, 1, 500)})
    current = pd.DataFrame({"x": rng.normal(0, 1, 500)})
    assert detect_drift(reference, current) == {"x": False}
    assert not any_drift(reference, current)


def test_shifted_distribution_drifts():
    rng = np.random.default_rng(1)
    reference = pd.DataFrame({"x": rng.normal(0, 1, 500), "y": rng.normal(0, 1, 500)})
    current = pd.DataFrame({"x": rng.normal(3, 1, 500), "y": rng.normal(0, 1, 500)})
    assert detect_drift(reference, current)["x"] is True
    assert any_drift(reference, current)


def test_missing_column_is_an_error():
    with pytest.raises(ValueError):
        detect_drift(pd.DataFrame({"x": [1.0, 2.0]}), pd.DataFrame({"y": [1.0, 2.0]}))
