import pytest
from pydantic import ValidationError

from mlproject.config import ProjectConfig, load_config


def test_loads_example_config():
    config = load_config("configs/config.yaml")
    assert config.model.name == "logistic_regression"
    assert config.data.test_size == 0.2
    assert config.data.target == "species"


def test_defaults_fill_missing_sections(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("project_name: demo\n")
    config = ProjectConfig.from_yaml(path)
    assert config.project_name == "demo"
    assert config.model.output_path == "models/model.joblib"


def test_empty_file_gives_defaults(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("")
    assert load_config(path) == ProjectConfig()


def test_rejects_unknown_model():
    with pytest.raises(ValidationError, match="modelo desconocido"):
        ProjectConfig(model={"name": "magic"})


def test_rejects_bad_test_size():
    with pytest.raises(ValidationError):
        ProjectConfig(data={"test_size": 0.9})


def test_logging_level_is_normalised():
    assert ProjectConfig(logging={"level": "debug"}).logging.level == "DEBUG"
    with pytest.raises(ValidationError):
        ProjectConfig(logging={"level": "verbose"})
