"""The project's policy pack; see rules.py for the rules and __main__.py for the pack."""
