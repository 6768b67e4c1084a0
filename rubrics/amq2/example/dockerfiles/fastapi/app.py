"""The model service: POST /predict/ classifies an iris flower.

The model is the MLflow registry's champion (`models:/iris_model_prod@champion`); when
MLflow cannot be reached (the service started before the first training, or outside
the compose) the artifact copied into the image (files/model.joblib) answers.
"""
from pathlib import Path
from typing import Literal

import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel, Field

MODEL_NAME = "iris_model_prod"
LOCAL_MODEL = Path(__file__).parent / "files" / "model.joblib"
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
SPECIES = {0: "setosa", 1: "versicolor", 2: "virginica"}


def load_model():
    try:
        import mlflow

        mlflow.set_tracking_uri("http://mlflow:5000")
        client = mlflow.MlflowClient()
        version = client.get_model_version_by_alias(MODEL_NAME, "champion")
        return mlflow.sklearn.load_model(version.source), f"mlflow:{version.version}"
    except Exception:  # mlflow missing or unreachable: the bundled artifact
        return joblib.load(LOCAL_MODEL), "local"


class ModelInput(BaseModel):
    sepal_length: float = Field(gt=0, le=20, description="Sepal length (cm)")
    sepal_width: float = Field(gt=0, le=20, description="Sepal width (cm)")
    petal_length: float = Field(gt=0, le=20, description="Petal length (cm)")
    petal_width: float = Field(gt=0, le=20, description="Petal width (cm)")


class ModelOutput(BaseModel):
    int_output: int = Field(description="The predicted class")
    str_output: Literal["setosa", "versicolor", "virginica"]
    model_version: str


model, model_version = load_model()
app = FastAPI(title="Iris model service", description="ML Models and something more Inc.")


@app.get("/")
async def read_root():
    return {"message": "Welcome to the Iris Classifier API", "model_version": model_version}


@app.post("/predict/", response_model=ModelOutput, summary="Classify one iris flower")
def predict(features: ModelInput) -> ModelOutput:
    frame = pd.DataFrame([{name: getattr(features, name) for name in FEATURES}])
    label = int(model.predict(frame)[0])
    return ModelOutput(int_output=label, str_output=SPECIES[label], model_version=model_version)
