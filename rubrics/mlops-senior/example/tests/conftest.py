"""Fixtures compartidas: la configuración, una muestra pequeña de datos y un modelo entrenado."""
from pathlib import Path

import pandas as pd
import pytest

from mlproject.config import DataConfig, MLflowConfig, ModelConfig, ProjectConfig
from mlproject.training import Trainer

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "iris_sample.csv"


@pytest.fixture
def sample_data() -> pd.DataFrame:
    """45 filas (15 por especie), versionadas en git para que los tests no dependan de `dvc pull`."""
    return pd.read_csv(SAMPLE)


@pytest.fixture
def config(tmp_path) -> ProjectConfig:
    return ProjectConfig(
        data=DataConfig(raw_path=str(SAMPLE), processed_path=str(tmp_path / "processed.csv"), test_size=0.2, random_state=0),
        model=ModelConfig(name="logistic_regression", params={"max_iter": 300}, output_path=str(tmp_path / "model.joblib")),
        mlflow=MLflowConfig(enabled=False, tracking_uri=str(tmp_path / "mlruns")),
    )


@pytest.fixture
def trained(config, sample_data) -> Trainer:
    trainer = Trainer(config)
    trainer.train(sample_data)
    return trainer
