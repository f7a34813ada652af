"""What the embedder and the NLI judge share to run models: the torch BERT encoder, tokenizing, ONNX Runtime
sessions and length-bucketed batching."""
