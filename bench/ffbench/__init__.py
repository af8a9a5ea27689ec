"""FreeFlow's benchmark suite (bench/README.md)."""
