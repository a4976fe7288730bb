"""chsm-bot: answers Azure Cloud HSM errors from Microsoft's docs, offline."""

__version__ = "0.1.0"
