"""click commands, one module per command group: parse arguments, call the domain, render."""
