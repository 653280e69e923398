#!/usr/bin/env bash
# The training tools end to end, as a team would run them: generate a small
# synthetic dataset, report on it, train the tiny recipe, score the bundle
# with skinlens-eval (table, JSON with calibration and skin types, predictions
# CSV round trip), calibrate it again on other data with skinlens-calibrate,
# and check the run folder and the error paths a user meets first.
# Usage: tools_end_to_end_test.sh SYNTH TRAIN EVAL REPORT HEATMAP_CHECK TINY_RECIPE CALIBRATE
set -euo pipefail
synth=$1 train=$2 eval=$3 report=$4 heatmap=$5 recipe=$6 calibrate=$7
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$synth" --out "$work/train" --count 160 --size 72 --seed 21 --workers 2 2>/dev/null
"$synth" --out "$work/test" --count 40 --size 72 --seed 22 --first_index 100000 --workers 2 2>/dev/null

"$report" --data "$work/train/images" --png "$work/grades.png" > "$work/report.txt" 2>/dev/null
grep -q "^160 samples" "$work/report.txt" || fail "dataset report: $(cat "$work/report.txt")"
grep -q "^wrinkle" "$work/report.txt" || fail "dataset report lacks the wrinkle row"
[[ -s "$work/grades.png" ]] || fail "no histogram PNG"
"$report" --data "$work/train/images" --json --measure_images=false 2>/dev/null |
  python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["num_samples"]==160, r; assert sum(r["attributes"]["oil"]["grade_counts"])+r["attributes"]["oil"]["unlabelled"]==160'

OMP_NUM_THREADS=1 "$train" --recipe "$recipe" --data "$work/train/images" --out "$work/run" \
  --threads 1 --model_version tiny-e2e --data_description "synthetic test data" 2> "$work/train.log" ||
  { cat "$work/train.log"; fail "skinlens-train failed"; }
grep -q "done: 2 epochs" "$work/train.log" || { cat "$work/train.log"; fail "no summary line"; }
for f in recipe.json metrics.jsonl confusion_matrices.jsonl curves.png model/metadata.json; do
  [[ -s "$work/run/$f" ]] || fail "run folder lacks $f"
done
[[ $(wc -l < "$work/run/metrics.jsonl") -eq 2 ]] || fail "metrics.jsonl should have one line per epoch"

# A second run into the same folder is refused, naming --resume.
if "$train" --recipe "$recipe" --data "$work/train/images" --out "$work/run" 2> "$work/again.log"; then
  fail "a second run overwrote the first"
fi
grep -q -- "--resume" "$work/again.log" || fail "refusal does not say how to continue: $(cat "$work/again.log")"

OMP_NUM_THREADS=1 "$eval" --model "$work/run/model" --data "$work/test/images" --threads 1 \
  --write_predictions "$work/pred.csv" > "$work/eval.txt" 2>/dev/null
grep -q "^oil" "$work/eval.txt" || fail "eval table: $(cat "$work/eval.txt")"
OMP_NUM_THREADS=1 "$eval" --model "$work/run/model" --data "$work/test/images" --threads 1 --json \
  > "$work/eval.json" 2>/dev/null
"$eval" --predictions "$work/pred.csv" --json > "$work/scored.json" 2>/dev/null
python3 - "$work/eval.json" "$work/scored.json" "$work/run/model/metadata.json" <<'PY'
import json, sys
model = json.load(open(sys.argv[1]))
scored = json.load(open(sys.argv[2]))
bundle = json.load(open(sys.argv[3]))
assert model["num_samples"] == 40, model["num_samples"]
# The trainer calibrated the bundle on its validation split.
calibration = bundle["calibration"]
assert calibration["target_coverage"] == 0.9 and "validation" in calibration["fitted_on"], calibration
for name in ["oil", "hydration", "wrinkle", "pigmentation", "sensitivity"]:
    m = model["attributes"][name]
    assert -1.5 <= m["p_recall"] <= 1.0 and 0 <= m["accuracy"] <= 1, m
    assert sum(map(sum, m["confusion"])) == m["labelled"], m
    # Scoring the written predictions reproduces the model's own scores.
    assert abs(scored["attributes"][name]["p_recall"] - m["p_recall"]) < 1e-12, name
    assert 0 <= m["ece_before"] <= 1 and 0 <= m["ece_after"] <= 1, m
    assert m["temperature"] == calibration["attributes"][name]["temperature"] > 0, m
    assert 0 < m["coverage"] <= 1, m
# Per Fitzpatrick type: the generator labels each image with one; all 40 are counted.
groups = model["by_fitzpatrick"]
assert groups and all(1 <= int(k) <= 6 for k in groups), groups
assert sum(g["num_samples"] for g in groups.values()) == 40, groups
PY

# Calibrating again on other held-out data rewrites the bundle with its own fit.
OMP_NUM_THREADS=1 "$calibrate" --model "$work/run/model" --data "$work/test/images" --coverage 0.8 \
  --out "$work/calibrated" --batch_size 16 > "$work/calibrate.txt" 2>/dev/null ||
  fail "skinlens-calibrate failed"
grep -q "ECE before" "$work/calibrate.txt" || fail "calibrate table: $(cat "$work/calibrate.txt")"
python3 - "$work/calibrated/metadata.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))["calibration"]
assert c["target_coverage"] == 0.8 and "40 images" in c["fitted_on"], c
assert set(c["attributes"]) == {"oil", "hydration", "wrinkle", "pigmentation", "sensitivity"}, c
PY
OMP_NUM_THREADS=1 "$eval" --model "$work/calibrated" --data "$work/test/images" --threads 1 \
  > /dev/null 2>&1 || fail "the calibrated bundle does not load"
if "$calibrate" --model "$work/run/model" --data "$work/test/images" --coverage 1.5 --out "$work/c2" \
  2> "$work/err.txt"; then fail "coverage 1.5 accepted"; fi
grep -q "coverage" "$work/err.txt" || fail "bad coverage error: $(cat "$work/err.txt")"

# Grad-CAM against the generator's masks: every attribute drawn somewhere is scored.
OMP_NUM_THREADS=1 "$heatmap" --model "$work/run/model" --data "$work/test/images" --threads 1 --json \
  > "$work/heat.json" 2>/dev/null
python3 - "$work/heat.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["images"] == 40, r
for name, s in r["attributes"].items():
    assert s["images"] > 0, (name, s)
    assert 0 <= s["pointing_game"] <= 1 and 0 <= s["mass_inside_mask"] <= 1, (name, s)
    assert 0 < s["mask_area"] <= 1, (name, s)
PY

# Clear errors for what users get wrong first.
if "$eval" --model "$work/nope" --data "$work/test/images" 2> "$work/err.txt"; then fail "missing model accepted"; fi
grep -q "nope" "$work/err.txt" || fail "missing model error does not name it: $(cat "$work/err.txt")"
echo '{"name": "bad", "epochz": 1}' > "$work/bad.json"
if "$train" --recipe "$work/bad.json" --data "$work/train/images" --out "$work/run2" 2> "$work/err.txt"; then
  fail "bad recipe accepted"
fi
grep -q "epochz" "$work/err.txt" || fail "bad recipe error does not name the key: $(cat "$work/err.txt")"
"$train" --help > /dev/null 2>&1 || true
echo "training tools end to end: OK"
