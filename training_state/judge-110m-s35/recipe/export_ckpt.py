"""Export a committed LoRA checkpoint.pt (training_state/judge-110m-sNN) as an adapter folder the large tier loads.
Usage: python runs/s35/export_ckpt.py CHECKPOINT OUT_DIR"""
import sys
from pathlib import Path

import torch

from factcheck.nli.large import base_dir
from factcheck.training.distill import load_model
from factcheck.training.lora import base_record, load_trainable_state, save_adapter, wrap

ckpt, out = Path(sys.argv[1]), Path(sys.argv[2])
state = torch.load(ckpt, map_location="cpu", weights_only=False)
lora = state["lora"]
base = Path(base_dir())
model, tok = load_model(base, "cpu")
model = wrap(model, lora["r"], lora["alpha"], lora["layers"], lora["targets"])
load_trainable_state(model, state["trainable"])
save_adapter(model, tok, out, base_record(base), 128, {"exported_from": ckpt.parent.name, "step": state["step"]})
print("exported", ckpt, "->", out, "step", state["step"])
