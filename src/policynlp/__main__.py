"""``python -m policynlp`` runs the command line."""

from policynlp.cli import app

if __name__ == "__main__":
    app()
