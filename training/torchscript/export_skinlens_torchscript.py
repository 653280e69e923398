#!/usr/bin/python3
"""Exports a PyTorch model as a TorchScript module that SkinLens can serve.

The contract (docs/MODEL_BUNDLE.md, "TorchScript modules"):
  * input: float32 [N, 3, H, W], RGB, normalised with the mean/std given in the
    metadata;
  * forward(x) returns a tuple (logits [N, A, G], features [N, C, h, w]) where
    A and G are the numbers of attribute and grade names in the metadata (5 x 5
    for SkinLens) and `features` is the Grad-CAM target feature map;
  * head(features) returns the same logits from the feature map alone, so
    Grad-CAM can differentiate the head without a second pass through the
    backbone;
  * the file carries `skinlens_metadata.json` (format "skinlens.torchscript":
    model version, input size and normalisation, attribute and grade names,
    target layer, training data, ...) as a TorchScript extra file.
SkinLens' LoadTorchScriptModel (common/model/torchscript_model.h) checks all of
this on a probe input and refuses a module that breaks it.

Wrap your own network the way `ContractWrapper` does: split it into the part
up to the target layer (`features`) and the part above it (`classifier`).

Usage:
  export_skinlens_torchscript.py --out model.pt                 # example network
  export_skinlens_torchscript.py --out model.pt --reference ref.pt
      (also writes a module holding a fixed input and the outputs PyTorch
       computed for it, which SkinLens' tests compare against)
"""
import argparse
import datetime
import json
import os
import sys

import torch
from torch import nn

ATTRIBUTES = ["oil", "hydration", "wrinkle", "pigmentation", "sensitivity"]
GRADES = 5


class ExampleBackbone(nn.Module):
    """A small convolutional backbone standing in for a team's own network."""

    def __init__(self, channels: int = 32):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(16),
            nn.SiLU(),
            nn.Conv2d(16, channels, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(channels),
            nn.SiLU(),
        )

    def forward(self, x):
        return self.layers(x)


class ExampleClassifier(nn.Module):
    """Everything above the target layer: pooling and one head per attribute."""

    def __init__(self, channels: int, attributes: int):
        super().__init__()
        self.attributes = attributes
        self.grades = GRADES
        self.linear = nn.Linear(channels, attributes * GRADES)

    def forward(self, features):
        pooled = features.mean(dim=(2, 3))
        return self.linear(pooled).view(-1, self.attributes, self.grades)


class ContractWrapper(nn.Module):
    """Adapts (features, classifier) to the SkinLens TorchScript contract."""

    def __init__(self, features: nn.Module, classifier: nn.Module):
        super().__init__()
        self.features = features
        self.classifier = classifier

    def forward(self, x):
        f = self.features(x)
        return self.classifier(f), f

    @torch.jit.export
    def head(self, f):
        return self.classifier(f)


class Reference(nn.Module):
    """Holds a fixed input and PyTorch's outputs for it, for tests."""

    def __init__(self, x, logits, features):
        super().__init__()
        self.register_buffer("input", x)
        self.register_buffer("logits", logits)
        self.register_buffer("features", features)

    def forward(self):
        return self.input


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="where to write the TorchScript module")
    parser.add_argument("--reference", help="also write a reference input/output module here")
    parser.add_argument("--input_size", type=int, default=64, help="square input size in pixels")
    parser.add_argument("--seed", type=int, default=7, help="random seed for the example weights")
    parser.add_argument("--model_version", default="torchscript-example-1",
                        help="the metadata's model_version")
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    model = ContractWrapper(ExampleBackbone(32), ExampleClassifier(32, len(ATTRIBUTES)))
    # Give batch norm non-trivial statistics, as a trained network has.
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    model.eval()

    # The fields and their rules: docs/MODEL_BUNDLE.md, "TorchScript modules".
    metadata = {
        "format": "skinlens.torchscript",
        "format_version": 1,
        "model_version": args.model_version,
        "created_time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "architecture": "example-cnn",
        "input": {
            "height": args.input_size, "width": args.input_size, "color": "RGB",
            "value_range": [0, 1], "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
        },
        "attributes": ATTRIBUTES,
        "grades": ["0", "1", "2", "3", "4"],
        "target_layer": "features.layers.5",
        "training_data": {
            "description": "none: random example weights",
            "num_train_images": 0,
            "num_validation_images": 0,
        },
        "validation_metrics": {},
    }
    for path in (args.out, args.reference):
        if path and os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
    scripted = torch.jit.script(model)
    torch.jit.save(scripted, args.out,
                   _extra_files={"skinlens_metadata.json": json.dumps(metadata, indent=2)})
    print(f"wrote {args.out}")

    if args.reference:
        x = torch.randn(2, 3, args.input_size, args.input_size)
        with torch.no_grad():
            logits, features = model(x)
        torch.jit.save(torch.jit.script(Reference(x, logits, features)), args.reference)
        print(f"wrote {args.reference}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
