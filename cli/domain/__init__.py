"""Business rules as plain functions over a loaded Book: no click, no git, no printing."""
