import re

import pytest
from fastapi.testclient import TestClient

from mlproject import api
from mlproject.predict import Predictor

client = TestClient(api.app)
SETOSA = {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}


@pytest.fixture
def model(trained):
    api.set_predictor(Predictor(trained.pipeline))
    yield
    api.set_predictor(None)


def test_health():
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


def test_predict(model):
    response = client.post("/predict", json=SETOSA)
    assert response.status_code == 200
    body = response.json()
    assert body["prediction"] == "setosa"
    assert 0.5 < body["probability"] <= 1


def test_predict_rejects_invalid_input(model):
    response = client.post("/predict", json={"sepal_length": -1})
    assert response.status_code == 422


def test_predict_without_model(monkeypatch, tmp_path):
    api.set_predictor(None)
    monkeypatch.setenv("MODEL_PATH", str(tmp_path / "missing.joblib"))
    response = client.post("/predict", json=SETOSA)
    assert response.status_code == 503


def test_predict_loads_saved_model(monkeypatch, trained):
    api.set_predictor(None)
    monkeypatch.setenv("MODEL_PATH", str(trained.save()))
    assert client.post("/predict", json=SETOSA).json()["prediction"] == "setosa"
    api.set_predictor(None)


def test_openapi_docs():
    assert client.get("/docs").status_code == 200
    assert "/predict" in client.get("/openapi.json").json()["paths"]


def test_metrics_count_predictions(model):
    before = client.get("/metrics").text
    client.post("/predict", json=SETOSA)
    after = client.get("/metrics").text
    assert "# TYPE iris_predictions_total counter" in after

    def count(text):
        return int(re.search(r"^iris_predictions_total (\d+)$", text, re.M).group(1))

    assert count(after) == count(before) + 1


def test_every_answer_says_how_long_it_took():
    response = client.get("/health")
    assert float(response.headers["X-Process-Time"]) >= 0
