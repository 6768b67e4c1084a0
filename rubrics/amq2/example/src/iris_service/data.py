"""Data loading: the iris data set as a DataFrame (bundled with scikit-learn, no download)."""
import pandas as pd
from sklearn.datasets import load_iris

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
TARGET = "species"


def load_data() -> pd.DataFrame:
    iris = load_iris(as_frame=True)
    frame = iris.frame.copy()
    frame.columns = FEATURES + [TARGET]
    return frame


def remove_duplicates(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop_duplicates().reset_index(drop=True)
