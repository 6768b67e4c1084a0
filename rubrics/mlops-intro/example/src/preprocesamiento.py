"""Preprocesamiento de datos: llevar valores numéricos al rango 0–1."""


def normalizar(valores: list[float]) -> list[float]:
    """Escala los valores al rango [0, 1]; una lista constante queda en 0."""
    if not valores:
        return []
    minimo, maximo = min(valores), max(valores)
    if maximo == minimo:
        return [0.0 for _ in valores]
    return [(v - minimo) / (maximo - minimo) for v in valores]
