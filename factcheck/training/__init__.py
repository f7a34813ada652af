"""The training workshop: data readers, synthetic and mined pairs, the NLI trainer and the ONNX exporter.

Nothing in the check pipeline imports this package (a test asserts it); it needs torch and is run by
developers, not by ``factcheck check``.
"""
