"""The iris model's development cycle: get the data into the data lake, preprocess it,
train and evaluate a challenger, and promote it in MLflow's registry if it beats the
champion."""
import datetime

from airflow.decorators import dag, task

default_args = {
    "owner": "Grupo 3",
    "depends_on_past": False,
    "retries": 1,
    "retry_delay": datetime.timedelta(minutes=5),
    "dagrun_timeout": datetime.timedelta(minutes=15),
}


@dag(
    dag_id="train_iris_model",
    description="Extract, preprocess and train the iris classifier; register the best one in MLflow",
    tags=["ETL", "train", "iris"],
    default_args=default_args,
    schedule=None,
    catchup=False,
)
def train_iris_model():
    @task
    def extract() -> str:
        import awswrangler as wr
        from iris_service.data import load_data

        path = "s3://data/raw/iris.csv"
        wr.s3.to_csv(load_data(), path, index=False)
        return path

    @task
    def preprocess(raw_path: str) -> str:
        import awswrangler as wr
        from iris_service.data import remove_duplicates

        path = "s3://data/final/iris.csv"
        wr.s3.to_csv(remove_duplicates(wr.s3.read_csv(raw_path)), path, index=False)
        return path

    @task
    def train_challenger(clean_path: str) -> float:
        from iris_service.train import log_to_mlflow, train

        model, f1 = train(c=1.0)
        log_to_mlflow(model, f1, c=1.0)
        return f1

    raw = extract()
    clean = preprocess(raw)
    train_challenger(clean)


train_iris_model()
