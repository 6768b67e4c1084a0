"""Predicción con el modelo guardado por el Trainer."""
from pathlib import Path
from typing import Dict, List, Mapping, Sequence, Union

import joblib
import pandas as pd

from .data import FEATURES


class Predictor:
    def __init__(self, pipeline):
        self.pipeline = pipeline

    @classmethod
    def load(cls, path: Union[str, Path] = "models/model.joblib") -> "Predictor":
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"no existe el modelo {path}: entrena con `python main.py`")
        return cls(joblib.load(path))

    def _frame(self, records: Sequence[Mapping[str, float]]) -> pd.DataFrame:
        return pd.DataFrame(list(records), columns=FEATURES)

    def predict(self, records: Sequence[Mapping[str, float]]) -> List[str]:
        return [str(label) for label in self.pipeline.predict(self._frame(records))]

    def predict_proba(self, records: Sequence[Mapping[str, float]]) -> List[Dict[str, float]]:
        classes = [str(c) for c in self.pipeline.classes_]
        rows = self.pipeline.predict_proba(self._frame(records))
        return [dict(zip(classes, (float(p) for p in row))) for row in rows]
