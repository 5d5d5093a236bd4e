"""python -m redactor: the command line."""

from redactor.cli import main

if __name__ == "__main__":
    main()
