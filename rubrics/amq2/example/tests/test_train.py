from src.iris_service.data import FEATURES, load_data, remove_duplicates
from src.iris_service.train import save, train


def test_the_data_has_the_four_features_and_no_duplicates():
    frame = remove_duplicates(load_data())
    assert list(frame.columns[:4]) == FEATURES
    assert not frame.duplicated().any()


def test_training_beats_chance_and_saves_a_model_that_predicts(tmp_path):
    model, f1 = train()
    assert f1 > 0.8
    path = save(model, tmp_path / "model.joblib")
    assert path.exists()
    sample = load_data()[FEATURES].head(3)
    assert len(model.predict(sample)) == 3
