"""The pages of the main window's left column, one module each."""
