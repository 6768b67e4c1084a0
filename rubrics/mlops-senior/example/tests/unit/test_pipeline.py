import numpy as np
import pandas as pd

from mlproject.data import FEATURES, split
from mlproject.training import OutlierClipper, build_pipeline


def test_clipper_learns_only_from_fit_data():
    train = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    clipper = OutlierClipper(lower=0.0, upper=1.0).fit(train)
    # A test value beyond what training saw is clipped to the training range.
    assert clipper.transform(pd.DataFrame({"x": [100.0, -100.0]})).ravel().tolist() == [5.0, 1.0]


def test_pipeline_has_the_clipper_before_the_scaler():
    steps = [name for name, _ in build_pipeline("logistic_regression", {}).steps]
    assert steps.index("clipper") < steps.index("scaler")


def test_pipeline_predicts_one_label_per_row(sample_data):
    x_train, x_test, y_train, _ = split(sample_data, 0.2, 0)
    pipeline = build_pipeline("logistic_regression", {"max_iter": 300}).fit(x_train, y_train)
    predicted = pipeline.predict(x_test)
    assert predicted.shape == (len(x_test),)
    assert set(predicted) <= set(sample_data["species"])


def test_split_keeps_test_rows_out_of_training(sample_data):
    x_train, x_test, _, _ = split(sample_data, 0.2, 0)
    assert set(x_train.index).isdisjoint(x_test.index)
    assert list(x_train.columns) == FEATURES
    assert np.isfinite(x_train.to_numpy()).all()
