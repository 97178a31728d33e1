"""The book's ``dataset`` package: ``mnist.load_mnist``."""
