"""``python -m matcher``: the same command line as ``matcher``."""

from matcher.cli import app

if __name__ == "__main__":
    app(prog_name="matcher")
