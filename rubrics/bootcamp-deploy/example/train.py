"""Entrena el modelo que sirve la API: una regresión logística sobre iris (sklearn lo trae incluido)."""
from pathlib import Path

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def main(path: str = "models/model.joblib") -> None:
    iris = load_iris()
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    model.fit(iris.data, [iris.target_names[i] for i in iris.target])
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, path)
    print(f"modelo guardado en {path} (exactitud en entrenamiento {model.score(iris.data, [iris.target_names[i] for i in iris.target]):.2f})")


if __name__ == "__main__":
    main()
