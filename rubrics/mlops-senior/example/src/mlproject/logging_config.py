"""Logging del proyecto: un formato y un nivel configurable, en un solo lugar."""
import logging
import sys

FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"


def setup_logging(level: str = "INFO") -> logging.Logger:
    """Configura el logging una vez, al arrancar (main.py, la API)."""
    logging.basicConfig(level=level.upper(), format=FORMAT, stream=sys.stdout, force=True)
    logger = logging.getLogger("mlproject")
    logger.setLevel(level.upper())
    return logger


def get_logger(name: str) -> logging.Logger:
    """Un logger con nombre por módulo: `logger = get_logger(__name__)`."""
    return logging.getLogger(name)
