import pandas as pd
import pytest

from mlproject.data import TARGET, clean, load_data, main, prepare, split


def test_load_sample(sample_data, config):
    frame = load_data(config.data.raw_path)
    assert len(frame) == len(sample_data) == 45


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="dvc pull"):
        load_data(tmp_path / "nada.csv")


def test_load_rejects_wrong_columns(tmp_path):
    path = tmp_path / "otro.csv"
    pd.DataFrame({"a": [1]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="faltan columnas"):
        load_data(path)


def test_clean_drops_duplicates_and_unlabelled(sample_data):
    dirty = pd.concat([sample_data, sample_data.head(2)], ignore_index=True)
    dirty.loc[10, TARGET] = None
    assert len(clean(dirty)) == len(sample_data) - 1


def test_split_is_stratified(sample_data):
    _, x_test, _, y_test = split(sample_data, 0.2, 0)
    assert len(x_test) == 9
    assert y_test.value_counts().to_dict() == {"setosa": 3, "versicolor": 3, "virginica": 3}


def test_prepare_stage(config, tmp_path):
    output = prepare(config.data.raw_path, tmp_path / "out" / "iris.csv")
    assert len(pd.read_csv(output)) == 45


def test_prepare_cli(tmp_path, config):
    path = tmp_path / "config.yaml"
    path.write_text(f"data:\n  raw_path: {config.data.raw_path}\n  processed_path: {tmp_path / 'p.csv'}\n")
    assert main(["--config", str(path)]) == 0
    assert (tmp_path / "p.csv").exists()
