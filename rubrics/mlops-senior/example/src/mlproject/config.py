"""Configuración del proyecto: modelos de Pydantic validados, leídos de un YAML."""
from pathlib import Path
from typing import Any, Dict, Union

import yaml
from pydantic import BaseModel, Field, validator

MODELS = {"logistic_regression", "random_forest"}


class DataConfig(BaseModel):
    raw_path: str = "data/raw/iris.csv"
    processed_path: str = "data/processed/iris.csv"
    target: str = "species"
    test_size: float = Field(0.2, ge=0.1, le=0.5)
    random_state: int = 42


class ModelConfig(BaseModel):
    name: str = "logistic_regression"
    params: Dict[str, Any] = Field(default_factory=dict)
    output_path: str = "models/model.joblib"

    @validator("name")
    def known_model(cls, value: str) -> str:
        if value not in MODELS:
            raise ValueError(f"modelo desconocido: {value}; usa uno de {sorted(MODELS)}")
        return value


class MLflowConfig(BaseModel):
    enabled: bool = True
    tracking_uri: str = "file:./mlruns"
    experiment_name: str = "iris"


class LoggingConfig(BaseModel):
    level: str = "INFO"

    @validator("level")
    def known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError(f"nivel de logging desconocido: {value}")
        return upper


class ProjectConfig(BaseModel):
    project_name: str = "iris-classifier"
    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    mlflow: MLflowConfig = MLflowConfig()
    logging: LoggingConfig = LoggingConfig()

    @classmethod
    def from_yaml(cls, path: Union[str, Path]) -> "ProjectConfig":
        """Lee y valida la configuración; si un campo está mal, el error dice cuál."""
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle) or {}
        return cls(**raw)


def load_config(path: Union[str, Path] = "configs/config.yaml") -> ProjectConfig:
    return ProjectConfig.from_yaml(path)
