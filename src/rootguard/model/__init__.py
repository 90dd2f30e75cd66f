"""The evidence model: typed, immutable views of what was collected, and the findings made from it.

Nothing here talks to AWS, reads files or looks at the clock.
"""
