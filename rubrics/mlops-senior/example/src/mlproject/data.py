"""Carga, limpieza y partición de los datos (etapa `prepare` de dvc.yaml)."""
import argparse
from pathlib import Path
from typing import Optional, Sequence, Tuple, Union

import pandas as pd
from sklearn.model_selection import train_test_split

from .logging_config import get_logger

logger = get_logger(__name__)

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
TARGET = "species"


def load_data(path: Union[str, Path]) -> pd.DataFrame:
    """Lee el CSV y comprueba que tenga las columnas esperadas."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no existe {path}: ejecuta `dvc pull` o `dvc repro`")
    frame = pd.read_csv(path)
    missing = [c for c in FEATURES + [TARGET] if c not in frame.columns]
    if missing:
        raise ValueError(f"faltan columnas en {path}: {missing}")
    logger.info("leídas %d filas de %s", len(frame), path)
    return frame


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Quita filas sin etiqueta y duplicadas; los valores faltantes los imputa el pipeline."""
    cleaned = frame.dropna(subset=[TARGET]).drop_duplicates().reset_index(drop=True)
    dropped = len(frame) - len(cleaned)
    if dropped:
        logger.info("descartadas %d filas (sin etiqueta o duplicadas)", dropped)
    return cleaned


def split(
    frame: pd.DataFrame, test_size: float = 0.2, random_state: int = 42
) -> Tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """Partición estratificada en entrenamiento y prueba."""
    features = frame[FEATURES]
    target = frame[TARGET]
    return train_test_split(features, target, test_size=test_size, random_state=random_state, stratify=target)


def prepare(raw_path: Union[str, Path], processed_path: Union[str, Path]) -> Path:
    """Etapa `prepare`: datos crudos versionados con DVC → datos limpios."""
    output = Path(processed_path)
    output.parent.mkdir(parents=True, exist_ok=True)
    clean(load_data(raw_path)).to_csv(output, index=False)
    logger.info("datos limpios en %s", output)
    return output


def main(argv: Optional[Sequence[str]] = None) -> int:
    from .config import load_config
    from .logging_config import setup_logging

    parser = argparse.ArgumentParser(description="Prepara los datos del pipeline")
    parser.add_argument("--config", default="configs/config.yaml")
    args = parser.parse_args(argv)
    config = load_config(args.config)
    setup_logging(config.logging.level)
    prepare(config.data.raw_path, config.data.processed_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
