#!/usr/bin/python3
"""One attribute server of the seed's design, reproduced as a benchmark baseline.

This is NOT SkinLens product code. It reproduces how the Python student project
that SkinLens replaces served its model (seed/SUMMARY.md, "How the original
served"), so that docs/BENCHMARKS.md can compare the two designs on the same
machine: five of these processes, one per attribute, each

  1. decoding the uploaded photo (OpenCV),
  2. finding the face with an OpenCV Haar cascade and cropping it,
  3. running its own EfficientNet-B0 (torchvision; random weights: nothing
     pretrained can be fetched, and speed does not depend on the weights),
  4. computing Grad-CAM with a full backward pass through the network,
  5. answering with the grade, the probabilities and the overlay image as a
     JSON list of pixel values.

The front end posts every photo to all five (skinlens-load --seed_design).

  /usr/bin/python3 attribute_server.py --attribute oil --port 8101 [--size 96]
"""
import argparse
import json

import cv2
import numpy as np
import torch
import torch.nn.functional as F
import torchvision
import uvicorn
from fastapi import FastAPI, File, HTTPException, UploadFile
from fastapi.responses import Response

CASCADE = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"


def build_app(attribute: str, size: int) -> FastAPI:
    app = FastAPI(title=f"seed-design {attribute} server")
    torch.manual_seed(hash(attribute) % 1000)
    model = torchvision.models.efficientnet_b0(weights=None, num_classes=5)
    # Random weights with fresh batch-norm statistics vanish towards zero deep in
    # the network; a few batches in training mode give the activations a
    # trained network's magnitudes (the cost of a pass does not depend on them).
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(8, 3, size, size))
    model.eval()
    target_layer = model.features[-1]  # the seed's Grad-CAM target: the last stage
    cascade = cv2.CascadeClassifier(CASCADE)
    if cascade.empty():
        raise SystemExit(f"cannot load the Haar cascade {CASCADE} (install opencv-data)")
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.post("/predict")
    async def predict(file: UploadFile = File(...)):
        data = await file.read()
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if image is None:
            raise HTTPException(status_code=400, detail="cannot decode the photo")
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        faces = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5)
        if len(faces) > 0:
            x, y, w, h = max(faces, key=lambda f: f[2] * f[3])
            image = image[y:y + h, x:x + w]
        crop = cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA)
        rgb = cv2.cvtColor(crop, cv2.COLOR_BGR2RGB)
        tensor = torch.from_numpy(rgb).permute(2, 0, 1).float().div(255).unsqueeze(0)
        tensor = (tensor - mean) / std

        # Grad-CAM the seed's way: keep the target activations, then a full
        # backward pass from the predicted grade's score.
        activations = {}

        def keep(_module, _inputs, output):
            output.retain_grad()
            activations["value"] = output

        handle = target_layer.register_forward_hook(keep)
        model.zero_grad()
        logits = model(tensor)
        handle.remove()
        probabilities = F.softmax(logits, dim=1)[0]
        grade = int(torch.argmax(probabilities))
        logits[0, grade].backward()
        feature = activations["value"]
        weights = feature.grad.mean(dim=(2, 3), keepdim=True)
        cam = F.relu((weights * feature).sum(dim=1, keepdim=True))
        cam = F.interpolate(cam, size=(size, size), mode="bilinear", align_corners=False)[0, 0]
        cam = cam / cam.max() if float(cam.max()) > 0 else cam
        heat = cv2.applyColorMap((cam.detach().numpy() * 255).astype(np.uint8), cv2.COLORMAP_JET)
        overlay = cv2.addWeighted(crop, 0.5, heat, 0.5, 0)
        body = {
            "attribute": attribute,
            "grade": grade,
            "probabilities": probabilities.detach().tolist(),
            "gradcam": overlay.tolist(),  # the seed's JSON list of pixel values
        }
        return Response(content=json.dumps(body), media_type="application/json")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attribute", required=True,
                        choices=["oil", "hydration", "wrinkle", "pigmentation", "sensitivity"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--size", type=int, default=96,
                        help="model input size in pixels (scripts/bench-e2e passes the demo model's)")
    args = parser.parse_args()
    uvicorn.run(build_app(args.attribute, args.size), host="127.0.0.1", port=args.port,
                log_level="warning")


if __name__ == "__main__":
    main()
