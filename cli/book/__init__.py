"""Reading and writing the data repository: the only code that touches files and git."""
