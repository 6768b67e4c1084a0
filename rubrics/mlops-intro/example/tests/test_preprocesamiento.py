import unittest

from src.preprocesamiento import normalizar


class TestNormalizar(unittest.TestCase):
    def test_rango(self):
        self.assertEqual(normalizar([2.0, 4.0, 6.0]), [0.0, 0.5, 1.0])

    def test_constante(self):
        self.assertEqual(normalizar([3.0, 3.0]), [0.0, 0.0])

    def test_vacia(self):
        self.assertEqual(normalizar([]), [])


if __name__ == "__main__":
    unittest.main()
