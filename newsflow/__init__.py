"""newsflow: shared core (configuration, ids, batch schemas) used by tasks/ and flows/."""

__version__ = "0.1.0"
