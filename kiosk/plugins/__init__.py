"""The built-in plugins. Each module is one whole feature, registered exactly like a third-party plugin."""
