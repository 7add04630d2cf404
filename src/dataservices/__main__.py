"""`python -m dataservices`: the same as the `dataservices` command."""

from dataservices.cli import main

if __name__ == "__main__":
    main()
