"""Entrenamiento: un Pipeline de scikit-learn, sus métricas y el registro en MLflow."""
from pathlib import Path
from typing import Any, Dict, Optional, Union

import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .config import ProjectConfig
from .data import split
from .logging_config import get_logger

logger = get_logger(__name__)


REGISTERED_MODEL = "iris-clf"


class OutlierClipper(BaseEstimator, TransformerMixin):
    """Recorta cada columna a los percentiles aprendidos en `fit`: solo con los datos de entrenamiento."""

    def __init__(self, lower: float = 0.01, upper: float = 0.99) -> None:
        self.lower = lower
        self.upper = upper

    def fit(self, X: Any, y: Any = None) -> "OutlierClipper":
        frame = pd.DataFrame(X)
        self.low_ = frame.quantile(self.lower).to_numpy()
        self.high_ = frame.quantile(self.upper).to_numpy()
        return self

    def transform(self, X: Any) -> Any:
        return pd.DataFrame(X).clip(self.low_, self.high_, axis=1).to_numpy()


def build_pipeline(name: str, params: Dict[str, Any], random_state: int = 42) -> Pipeline:
    """Preprocesamiento y modelo en un solo objeto: el mismo entrena y predice."""
    if name == "random_forest":
        model = RandomForestClassifier(random_state=random_state, **params)
    else:
        model = LogisticRegression(**params)
    return Pipeline(
        [
            ("imputer", SimpleImputer(strategy="median")),
            ("clipper", OutlierClipper()),
            ("scaler", StandardScaler()),
            ("classifier", model),
        ]
    )


class Trainer:
    def __init__(self, config: ProjectConfig) -> None:
        self.config = config
        self.pipeline: Optional[Pipeline] = None
        self.metrics: Dict[str, float] = {}

    def train(self, frame: pd.DataFrame) -> Dict[str, float]:
        """Divide los datos, ajusta el pipeline y devuelve las métricas de prueba."""
        if frame.empty:
            raise ValueError("no hay datos para entrenar")
        logger.info("entrenando %s con %d filas", self.config.model.name, len(frame))
        x_train, x_test, y_train, y_test = split(frame, self.config.data.test_size, self.config.data.random_state)
        self.pipeline = build_pipeline(self.config.model.name, self.config.model.params, self.config.data.random_state)
        self.pipeline.fit(x_train, y_train)
        self.metrics = self.evaluate(x_test, y_test)
        logger.info("métricas de prueba: %s", self.metrics)
        return self.metrics

    def evaluate(self, x_test: pd.DataFrame, y_test: pd.Series) -> Dict[str, float]:
        if self.pipeline is None:
            raise RuntimeError("entrena el modelo antes de evaluarlo")
        predicted = self.pipeline.predict(x_test)
        return {
            "accuracy": float(accuracy_score(y_test, predicted)),
            "f1_macro": float(f1_score(y_test, predicted, average="macro")),
        }

    def save(self, path: Union[str, Path, None] = None) -> Path:
        if self.pipeline is None:
            raise RuntimeError("no hay modelo entrenado para guardar")
        target = Path(path or self.config.model.output_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.pipeline, target)
        logger.info("modelo guardado en %s", target)
        return target

    def train_with_tracking(self, frame: pd.DataFrame, experiment_name: Optional[str] = None) -> Dict[str, float]:
        """Entrena y registra la corrida en MLflow; sin MLflow instalado, solo entrena."""
        if not self.config.mlflow.enabled:
            return self.train(frame)
        try:
            import mlflow
            import mlflow.sklearn
        except ImportError:
            logger.warning("MLflow no está instalado (`pip install mlflow`): la corrida no se registra")
            return self.train(frame)
        return self._tracked_run(mlflow, frame, experiment_name or self.config.mlflow.experiment_name)

    def _tracked_run(self, mlflow: Any, frame: pd.DataFrame, experiment_name: str) -> Dict[str, float]:
        """Una corrida de MLflow: parámetros, métricas, el modelo y la configuración usada."""
        mlflow.set_tracking_uri(self.config.mlflow.tracking_uri)
        mlflow.set_experiment(experiment_name)
        with mlflow.start_run():
            mlflow.log_params({"model": self.config.model.name, "test_size": self.config.data.test_size, **self.config.model.params})
            metrics = self.train(frame)
            mlflow.log_metrics(metrics)
            info = mlflow.sklearn.log_model(self.pipeline, "model", registered_model_name=REGISTERED_MODEL)
            # The API serves `models:/iris-clf@champion`: the newest version takes the alias.
            version = getattr(info, "registered_model_version", None)
            if version is not None:
                mlflow.MlflowClient().set_registered_model_alias(REGISTERED_MODEL, "champion", version)
            if Path("configs/config.yaml").exists():
                mlflow.log_artifact("configs/config.yaml")
        return metrics
