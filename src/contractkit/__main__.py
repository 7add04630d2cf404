"""`python -m contractkit`: the same as the `contractkit` command."""

from contractkit.cli import main

if __name__ == "__main__":
    main()
