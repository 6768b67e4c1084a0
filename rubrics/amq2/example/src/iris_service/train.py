"""Trains the classifier, evaluates it and saves the artifact (models/model.joblib).

Run locally with `python -m src.iris_service.train`; the Airflow DAG calls the same
functions, and logs the run to MLflow when a tracking server is given.
"""
from __future__ import annotations

import os
from pathlib import Path

import joblib
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .data import FEATURES, TARGET, load_data, remove_duplicates

MODEL_NAME = "iris_model_prod"


def build_pipeline(c: float = 1.0) -> Pipeline:
    return Pipeline([("scaler", StandardScaler()), ("model", LogisticRegression(C=c, max_iter=500))])


def train(c: float = 1.0, seed: int = 42) -> tuple[Pipeline, float]:
    frame = remove_duplicates(load_data())
    X_train, X_test, y_train, y_test = train_test_split(
        frame[FEATURES], frame[TARGET], test_size=0.3, random_state=seed, stratify=frame[TARGET]
    )
    pipeline = build_pipeline(c)
    pipeline.fit(X_train, y_train)
    score = f1_score(y_test, pipeline.predict(X_test), average="macro")
    return pipeline, float(score)


def save(pipeline: Pipeline, path: str | Path = "models/model.joblib") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, path)
    return path


def log_to_mlflow(pipeline: Pipeline, score: float, c: float) -> None:
    """Logs the run and registers the model as the new champion if it beats the old one."""
    import mlflow
    from mlflow import MlflowClient

    mlflow.set_tracking_uri(os.environ.get("MLFLOW_TRACKING_URI", "http://mlflow:5000"))
    mlflow.set_experiment("iris")
    with mlflow.start_run():
        mlflow.log_params({"C": c, "model": "LogisticRegression"})
        mlflow.log_metric("test_f1", score)
        info = mlflow.sklearn.log_model(pipeline, "model", registered_model_name=MODEL_NAME)
    client = MlflowClient()
    version = client.get_latest_versions(MODEL_NAME)[0].version
    try:
        champion = client.get_model_version_by_alias(MODEL_NAME, "champion")
        best = float(client.get_run(champion.run_id).data.metrics["test_f1"])
    except Exception:  # no champion yet
        best = -1.0
    if score >= best:
        client.set_registered_model_alias(MODEL_NAME, "champion", version)
    print(f"logged {info.model_uri} (f1 {score:.3f})")


if __name__ == "__main__":
    model, f1 = train()
    print(f"f1 (macro) on the test split: {f1:.3f}; saved to {save(model)}")
