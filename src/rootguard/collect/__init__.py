"""Live collection: the only code that talks to AWS. It produces AWS-CLI-shaped documents."""
