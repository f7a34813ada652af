"""LoRA soup: the element-wise average of two adapters' tensors (same base, rank and layers).
    python runs/s32/soup.py A_DIR B_DIR OUT_DIR [WEIGHT_OF_B]"""
import shutil, sys
from pathlib import Path
from safetensors.torch import load_file, save_file
a, b, out = map(Path, sys.argv[1:4]); w = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
ta, tb = load_file(a / "adapter_model.safetensors"), load_file(b / "adapter_model.safetensors")
assert ta.keys() == tb.keys()
shutil.rmtree(out, ignore_errors=True); shutil.copytree(b, out)
save_file({k: ((1 - w) * ta[k].float() + w * tb[k].float()).to(tb[k].dtype).contiguous() for k in ta}, out / "adapter_model.safetensors")
print("soup", a, b, "w", w, "->", out)
