"""API de predicción de iris: FastAPI sirve el modelo entrenado, con métricas de Prometheus y documentación en /docs."""
import os
import time
from typing import Optional

import joblib
from fastapi import FastAPI, HTTPException, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from pydantic import BaseModel, Field

app = FastAPI(
    title="Iris API",
    version="1.0.0",
    description="Clasifica flores de iris con un modelo de scikit-learn. Endpoints: /health, /predict, /metrics.",
)

PREDICTIONS = Counter("predictions_total", "Predicciones servidas", ["species"])
ERRORS = Counter("prediction_errors_total", "Pedidos que no se pudieron predecir")
LATENCY = Histogram("prediction_latency_seconds", "Tiempo de cada predicción")

_model = None


class IrisFeatures(BaseModel):
    """Las cuatro medidas de la flor, en centímetros."""

    sepal_length: float = Field(..., gt=0, description="Largo del sépalo (cm)")
    sepal_width: float = Field(..., gt=0, description="Ancho del sépalo (cm)")
    petal_length: float = Field(..., gt=0, description="Largo del pétalo (cm)")
    petal_width: float = Field(..., gt=0, description="Ancho del pétalo (cm)")


class Prediction(BaseModel):
    prediction: str
    probability: float


def get_model():
    """Carga el modelo en el primer pedido, así la API arranca rápido."""
    global _model
    if _model is None:
        _model = joblib.load(os.environ.get("MODEL_PATH", "models/model.joblib"))
    return _model


@app.get("/health", summary="Estado del servicio")
def health() -> dict:
    return {"status": "ok", "model": os.path.basename(os.environ.get("MODEL_PATH", "models/model.joblib"))}


@app.post("/predict", response_model=Prediction, summary="Predice la especie de una flor")
def predict(features: IrisFeatures) -> Prediction:
    started = time.perf_counter()
    try:
        model = get_model()
    except FileNotFoundError as error:
        ERRORS.inc()
        raise HTTPException(status_code=503, detail=f"modelo no disponible: {error}")
    row = [[features.sepal_length, features.sepal_width, features.petal_length, features.petal_width]]
    species = str(model.predict(row)[0])
    probability: Optional[float] = float(max(model.predict_proba(row)[0]))
    PREDICTIONS.labels(species=species).inc()
    LATENCY.observe(time.perf_counter() - started)
    return Prediction(prediction=species, probability=probability)


@app.get("/metrics", summary="Métricas en formato Prometheus")
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
