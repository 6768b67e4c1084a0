"""API REST con FastAPI: validación con Pydantic, el modelo como dependencia, errores y tiempos en un solo lugar."""
import os
import time
from typing import Awaitable, Callable, Dict, Optional

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from . import __version__
from .predict import Predictor

app = FastAPI(title="Iris API", version=__version__, description="Clasifica flores de iris")
_predictor: Optional[Predictor] = None
_counters: Dict[str, int] = {"predictions": 0, "errors": 0}


class PredictRequest(BaseModel):
    sepal_length: float = Field(..., gt=0, example=5.1)
    sepal_width: float = Field(..., gt=0, example=3.5)
    petal_length: float = Field(..., gt=0, example=1.4)
    petal_width: float = Field(..., gt=0, example=0.2)


class PredictResponse(BaseModel):
    prediction: str
    probability: float


def get_predictor() -> Predictor:
    """La dependencia de /predict: carga el modelo en el primer pedido, no al importar."""
    global _predictor
    if _predictor is None:
        _predictor = Predictor.load(os.environ.get("MODEL_PATH", "models/model.joblib"))
    return _predictor


def set_predictor(predictor: Optional[Predictor]) -> None:
    global _predictor
    _predictor = predictor


@app.middleware("http")
async def timing(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Cada respuesta dice cuánto tardó (X-Process-Time, en segundos)."""
    started = time.perf_counter()
    response = await call_next(request)
    response.headers["X-Process-Time"] = f"{time.perf_counter() - started:.4f}"
    return response


@app.exception_handler(FileNotFoundError)
async def model_missing(request: Request, error: FileNotFoundError) -> JSONResponse:
    """Sin modelo entrenado la API sigue viva y lo dice: 503, no un 500."""
    _counters["errors"] += 1
    return JSONResponse(status_code=503, content={"detail": str(error)})


@app.get("/health")
def health() -> Dict[str, str]:
    return {"status": "healthy", "version": __version__}


@app.post("/predict", response_model=PredictResponse)
def predict(request: PredictRequest, predictor: Predictor = Depends(get_predictor)) -> PredictResponse:
    record = request.dict()
    label = predictor.predict([record])[0]
    probability = predictor.predict_proba([record])[0][label]
    _counters["predictions"] += 1
    return PredictResponse(prediction=label, probability=probability)


@app.get("/metrics", response_class=PlainTextResponse)
def metrics() -> str:
    """Métricas en el formato de texto de Prometheus (monitoring/prometheus.yml las lee)."""
    return (
        "# HELP iris_predictions_total Predicciones servidas.\n"
        "# TYPE iris_predictions_total counter\n"
        f"iris_predictions_total {_counters['predictions']}\n"
        "# HELP iris_prediction_errors_total Pedidos sin modelo disponible.\n"
        "# TYPE iris_prediction_errors_total counter\n"
        f"iris_prediction_errors_total {_counters['errors']}\n"
    )
