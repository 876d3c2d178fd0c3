"""Use cases that join storage (comptoir.book) and the rules (comptoir.domain): open the book,
apply a change (ask the rules, then let storage write and commit), answer a report."""
