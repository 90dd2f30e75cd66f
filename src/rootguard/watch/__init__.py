"""The deployed watcher: the Lambda function that classifies root events and tells people (contract §10).

Its own edge (docs/ARCHITECTURE.md): it runs inside AWS Lambda, where the runtime provides boto3, and
publishes with it directly; it imports only the pure layers (``analysis``, ``model``, ``errors``), so
``rootguard package-watcher`` can ship it as a small zip with nothing to install.
"""
