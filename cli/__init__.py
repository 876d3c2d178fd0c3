"""comptoir: a company's ERP and CRM as plain YAML files in git."""

__version__ = "0.1.0"
