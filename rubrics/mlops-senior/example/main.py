"""Orquesta el entrenamiento: configuración, logging, datos, Trainer con MLflow y modelo guardado.

Uso: python main.py --config configs/config.yaml --experiment baseline
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "src"))

from mlproject.config import load_config  # noqa: E402
from mlproject.data import load_data  # noqa: E402
from mlproject.logging_config import setup_logging  # noqa: E402
from mlproject.training import Trainer  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Entrena el clasificador de iris")
    parser.add_argument("--config", default="configs/config.yaml")
    parser.add_argument("--experiment", default=None, help="nombre del experimento en MLflow")
    args = parser.parse_args(argv)

    config = load_config(args.config)
    logger = setup_logging(config.logging.level)
    frame = load_data(config.data.processed_path)
    trainer = Trainer(config)
    metrics = trainer.train_with_tracking(frame, args.experiment)
    path = trainer.save()
    Path("metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    logger.info("listo: %s (accuracy %.3f)", path, metrics["accuracy"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
