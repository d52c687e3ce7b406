"""sladesk: a helpdesk built around exact service levels."""

__version__ = "0.1.0"
