"""The command-line tools `cpts-check` and `cpts-coverage`, with one exit-code convention."""
