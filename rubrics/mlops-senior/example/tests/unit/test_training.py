import numpy as np
import pytest

from mlproject.data import FEATURES, TARGET
from mlproject.predict import Predictor
from mlproject.training import Trainer, build_pipeline


class FakeMlflow:
    """Imita la parte de la API de MLflow que usa el Trainer y recuerda lo registrado."""

    def __init__(self):
        self.calls = {}
        self.sklearn = self

    def __getattr__(self, name):
        def record(*args, **kwargs):
            self.calls[name] = args
            return self

        return record

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class TestTrainer:
    def test_train_returns_metrics(self, sample_data, config):
        metrics = Trainer(config).train(sample_data)
        assert set(metrics) == {"accuracy", "f1_macro"}
        assert 0 <= metrics["accuracy"] <= 1

    def test_model_learns(self, trained):
        # 9 filas de prueba: al azar se acertaría ~1 de 3.
        assert trained.metrics["accuracy"] >= 0.7

    def test_pipeline_steps(self):
        pipeline = build_pipeline("logistic_regression", {})
        assert [name for name, _ in pipeline.steps] == ["imputer", "clipper", "scaler", "classifier"]

    def test_random_forest_option(self):
        pipeline = build_pipeline("random_forest", {"n_estimators": 5})
        assert pipeline.named_steps["classifier"].n_estimators == 5

    def test_handles_missing_values(self, sample_data, config):
        sample_data.loc[0:3, "sepal_length"] = np.nan
        metrics = Trainer(config).train(sample_data)
        assert metrics["accuracy"] > 0

    def test_empty_data_fails(self, sample_data, config):
        with pytest.raises(ValueError):
            Trainer(config).train(sample_data.iloc[0:0])

    def test_evaluate_before_training_fails(self, config):
        with pytest.raises(RuntimeError):
            Trainer(config).evaluate(None, None)

    def test_save_without_model_fails(self, config):
        with pytest.raises(RuntimeError):
            Trainer(config).save()

    def test_save_and_reload(self, trained, sample_data):
        predictor = Predictor.load(trained.save())
        records = sample_data[FEATURES].head(3).to_dict("records")
        assert predictor.predict(records) == list(sample_data[TARGET].head(3))
        probabilities = predictor.predict_proba(records)[0]
        assert sum(probabilities.values()) == pytest.approx(1.0)

    def test_missing_model_file(self, tmp_path):
        with pytest.raises(FileNotFoundError):
            Predictor.load(tmp_path / "none.joblib")


class TestTracking:
    def test_without_mlflow_still_trains(self, sample_data, config):
        config.mlflow.enabled = True
        metrics = Trainer(config).train_with_tracking(sample_data)
        assert "accuracy" in metrics

    def test_disabled_tracking(self, sample_data, config):
        assert "accuracy" in Trainer(config).train_with_tracking(sample_data)

    def test_run_logs_params_and_metrics(self, sample_data, config):
        fake = FakeMlflow()
        metrics = Trainer(config)._tracked_run(fake, sample_data, "pruebas")
        assert fake.calls["set_experiment"] == ("pruebas",)
        assert fake.calls["log_params"][0]["model"] == "logistic_regression"
        assert fake.calls["log_metrics"] == (metrics,)

    def test_run_registers_the_model_as_champion(self, sample_data, config):
        fake = FakeMlflow()
        Trainer(config)._tracked_run(fake, sample_data, "pruebas")
        assert fake.calls["set_registered_model_alias"][:2] == ("iris-clf", "champion")
