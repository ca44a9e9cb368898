#!/usr/bin/env bash
# Side by side, in one go: the workbench's training against the plain-PyTorch reference
# (bench/reference.py with Debian's python3-torch), same model, batch and thread count, each
# method in its own process. Prints step time, throughput and training memory for both, and the
# ratios the targets in docs/benchmarks.md are about. DA3's ratio to fine-tune comes from paired
# steps on both sides (bench speed's paired JVMs; reference.py --paired in one process).
#
#   bench/compare.sh [THREADS]        (default: all cores)
#
# Needs: target/da3-workbench.jar (mvn -B package -DskipTests) and python3 with torch
# (apt-get install python3-torch python3-torchvision).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS="${1:-$(nproc)}"
JAR=target/da3-workbench.jar
PY=${PYTHON:-/usr/bin/python3}
OUT=bench/out
mkdir -p "$OUT"
[ -f "$JAR" ] || { echo "build the jar first: mvn -B package -DskipTests" >&2; exit 2; }
"$PY" -c "import torch" 2>/dev/null || { echo "$PY has no torch: apt-get install python3-torch" >&2; exit 2; }

# Both sides run under the same environment: one intra-op thread pool of THREADS threads. Step
# times are taken with glibc's default malloc; memory with freed tensors returned to the OS
# (MALLOC_MMAP_THRESHOLD_), which costs speed, so each side runs twice, once per setting.
export OMP_NUM_THREADS="$THREADS"
unset OMP_WAIT_POLICY MALLOC_MMAP_THRESHOLD_ MALLOC_ARENA_MAX
MEM_ENV=(env MALLOC_MMAP_THRESHOLD_=131072 MALLOC_ARENA_MAX=2)
CONFIG="--arch resnet26 --width 64 --image-size 64 --batch 32"

: > "$OUT/reference.jsonl"
: > "$OUT/reference-memory.jsonl"
for m in finetune linear da3; do
  "$PY" bench/reference.py $CONFIG --threads "$THREADS" --methods "$m" --steps 5 --warmup 2 >> "$OUT/reference.jsonl"
  "${MEM_ENV[@]}" "$PY" bench/reference.py $CONFIG --threads "$THREADS" --methods "$m" --steps 3 --warmup 2 \
    >> "$OUT/reference-memory.jsonl"
done
# PyTorch's DA3 step beside its fine-tune step, pair by pair in one process, as bench speed pairs its JVMs
"$PY" bench/reference.py $CONFIG --threads "$THREADS" --methods da3 --paired --steps 15 --warmup 3 \
  > "$OUT/reference-paired.jsonl"
# PyTorch's fine-tune in the layout the workbench's autograd steps use, for a like-for-like check
"$PY" bench/reference.py $CONFIG --threads "$THREADS" --methods finetune --channels-last --steps 5 --warmup 2 \
  >> "$OUT/reference.jsonl"
java -jar "$JAR" bench speed --config resnet26:64:64:32 --methods finetune,linear,da3 --threads "$THREADS" --json \
  --no-docs > "$OUT/workbench-speed.jsonl"
java -jar "$JAR" bench memory $CONFIG --methods finetune,linear,da3 --threads "$THREADS" --no-docs \
  --csv "$OUT/workbench-memory.csv" > "$OUT/workbench-memory.txt"

"$PY" - "$OUT" "$THREADS" <<'PY'
import csv, json, sys
out, threads = sys.argv[1], sys.argv[2]
ref = {r["label"]: r for r in map(json.loads, open(f"{out}/reference.jsonl"))}
refmem = {r["label"]: r for r in map(json.loads, open(f"{out}/reference-memory.jsonl"))}
spd = {r["label"]: r for r in map(json.loads, open(f"{out}/workbench-speed.jsonl"))}
refpair = {r["label"]: r for r in map(json.loads, open(f"{out}/reference-paired.jsonl"))}
mem = {r["method"]: r for r in csv.DictReader(open(f"{out}/workbench-memory.csv"))}
print(f"ResNet-26, width 64, 64 px, batch 32, {threads} threads; PyTorch {ref['finetune']['torch']} eager vs the workbench")
print(f"{'method':10} {'torch s':>9} {'wb s':>9} {'wb/torch':>9} {'torch MB':>10} {'wb MB':>10}")
for m in ("finetune", "linear", "da3"):
    r, s, w = ref[m], spd[m], mem[m]
    print(f"{m:10} {r['step_seconds']:9.3f} {s['step_seconds']:9.3f} {s['step_seconds']/r['step_seconds']:9.2f}"
          f" {refmem[m]['step_peak_bytes']/1e6:10.1f} {int(w['measured_step_bytes'])/1e6:10.1f}")
ft_tp = spd["finetune"]["images_per_second"] / ref["finetune"]["images_per_second"]
print()
print(f"fine-tune throughput, workbench / PyTorch eager: {ft_tp:.2f}x   (target >= 0.9)")
cl = ref["finetune[channels_last]"]
print(f"  PyTorch eager in channels-last, as the workbench runs: {cl['step_seconds']:.3f} s, workbench / it:"
      f" {spd['finetune']['images_per_second'] / cl['images_per_second']:.2f}x")
print(f"DA3 step / fine-tune step, paired steps, workbench: {spd['da3']['vs_finetune']:.2f}   (target <= 0.5)"
      f"   PyTorch: {refpair['da3']['vs_finetune']:.2f}")
gated = [r for label, r in spd.items() if label.startswith("da3, gates")]
if gated:
    g = gated[0]
    print(f"  with the gates held at the budget's target ({g['gate_open_ratio']:.2f} open): {g['vs_finetune']:.2f}"
          f" (rounds {g['vs_finetune_min']:.2f}-{g['vs_finetune_max']:.2f}); PyTorch's DA3 computes every block")
wb_ratio = int(mem['finetune']['measured_step_bytes']) / int(mem['da3']['measured_step_bytes'])
pt_ratio = refmem['finetune']['step_peak_bytes'] / refmem['da3']['step_peak_bytes']
print(f"training memory, fine-tune / DA3: workbench {wb_ratio:.1f}x, PyTorch {pt_ratio:.1f}x   (target: workbench >= PyTorch)")
PY
