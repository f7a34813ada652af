"""A shipped adapter folder as a distill-fit starting checkpoint (--init-adapter): its LoRA matrices and head, step 0.
    python runs/s35/adapter_to_ckpt.py ADAPTER_DIR OUT.pt [LAYERS]"""
import json, sys, warnings
from pathlib import Path
import torch
from peft import PeftModel
from factcheck.nli.large import base_dir
from factcheck.training.distill import load_model
from factcheck.training.lora import load_trainable_state, trainable_state, wrap

adapter, out = Path(sys.argv[1]), Path(sys.argv[2])
layers = sys.argv[3] if len(sys.argv) > 3 else "all"
cfg = json.loads((adapter / "adapter_config.json").read_text())
base = Path(base_dir())
model, _ = load_model(base, "cpu")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    loaded = PeftModel.from_pretrained(model, adapter, is_trainable=True)
state = {k: v.float() for k, v in trainable_state(loaded).items()}
fresh, _ = load_model(base, "cpu")
fresh = wrap(fresh, cfg["r"], cfg["lora_alpha"], layers, "all")
load_trainable_state(fresh, state)  # refuses a state that does not fit
lora = {"r": cfg["r"], "alpha": cfg["lora_alpha"], "layers": layers, "targets": "all"}
torch.save({"trainable": state, "lora": lora, "step": 0}, out)
print("wrote", out, len(state), "tensors", lora)
