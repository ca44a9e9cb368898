#!/usr/bin/env python3
"""Export a torchvision ResNet's state dict to a file the workbench imports by name.

    python3 bench/export_torchvision.py resnet50 pretrained/resnet50-imagenet.npz --weights IMAGENET1K_V2

With --weights none the network keeps torchvision's random initialisation (no download). Use that
with --check, which also saves a fixed input and torchvision's pooled features, so that
`da3 bench torchvision-check FILE` can compare the workbench's forward pass with torchvision's.
The output format follows the extension: .npz (numpy, always available) or .safetensors (needs
the safetensors package).
"""
import argparse

import numpy as np
import torch
import torchvision


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("arch", choices=["resnet18", "resnet50"])
    ap.add_argument("out", help="output file, .npz or .safetensors")
    ap.add_argument("--weights", default="none",
                    help="torchvision weights enum name, e.g. IMAGENET1K_V1; 'none' for random init (default)")
    ap.add_argument("--check", action="store_true", help="also store check.input and check.features")
    ap.add_argument("--image-size", type=int, default=224)
    args = ap.parse_args()

    weights = None if args.weights.lower() == "none" else args.weights
    torch.manual_seed(0)
    model = getattr(torchvision.models, args.arch)(weights=weights)
    model.eval()
    tensors = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    if args.check:
        x = torch.randn(2, 3, args.image_size, args.image_size)
        with torch.no_grad():
            body = torch.nn.Sequential(*list(model.children())[:-1])
            feats = body(x).flatten(1)
        tensors["check.input"] = x.numpy()
        tensors["check.features"] = feats.numpy()
    if args.out.endswith(".safetensors"):
        from safetensors.numpy import save_file
        save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, args.out)
    else:
        np.savez(args.out, **tensors)
    print("wrote", args.out, len(tensors), "tensors")


if __name__ == "__main__":
    main()
