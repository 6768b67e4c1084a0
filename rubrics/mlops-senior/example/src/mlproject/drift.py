"""Drift de datos: ¿la distribución de lo que llega a la API se alejó de la de entrenamiento?"""
from typing import Dict

import pandas as pd
from scipy.stats import ks_2samp


def detect_drift(reference: pd.DataFrame, current: pd.DataFrame, threshold: float = 0.05) -> Dict[str, bool]:
    """Kolmogorov-Smirnov por columna: True donde el p-valor queda bajo el umbral."""
    drifted: Dict[str, bool] = {}
    for column in reference.columns:
        if column not in current.columns:
            raise ValueError(f"falta la columna {column} en los datos actuales")
        result = ks_2samp(reference[column].dropna(), current[column].dropna())
        drifted[column] = bool(result.pvalue < threshold)
    return drifted


def any_drift(reference: pd.DataFrame, current: pd.DataFrame, threshold: float = 0.05) -> bool:
    return any(detect_drift(reference, current, threshold).values())
