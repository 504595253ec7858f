#!/usr/bin/env bash
# The embedded generator's next training run, for a lent GPU machine (issue 15: 15 minutes there
# are worth days of the 2-core CPU). Prepared so that a session spends its device time training:
# fine-tuned from the released model at 256 px (the CPU could only afford 128), on whole-photo
# views with the real jobs' holes, the batches made by worker processes (training/batches.py:
# one makes about 75 crops a second, a GPU trains this generator far faster than one feeds it).
#
# Here, before the call (no device time; the photos travel in a git-ignored folder, never
# committed, and are deleted afterwards):
#   grep -qx '/.device-data/' .git/info/exclude || echo /.device-data/ >> .git/info/exclude
#   mkdir -p .device-data && cp -r ../shared/data/tattoo-photos .device-data/
# The call (the device tool's run): command "bash benchmarks/gpu_train.sh", carry [".device-data"],
# timeout_s 600. MINUTES (default 7) is the training time; the loading, the checkpoint and the
# copies take about a minute more. What comes back in $OUT: latest.safetensors (the generator),
# model-card.json, the last sample grid, train.log.
# Afterwards, here: hold the weights out against the released ones, same run, same engine, e.g.
#   .venv-bench/bin/python benchmarks/bench_fill.py --data ../shared/data/tattoo-photos \
#       --weights /work/.device/.../latest.safetensors --sheet runs/fill-sheet-gpu.png
# then `skingan-desktop release` if it is better (choose the structure weight on the training
# subjects first), with this script's command line in the card; and `rm -rf .device-data`.
set -o pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/gpu-out}
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
DATA=${DATA:-.device-data/tattoo-photos}
RUN=${RUN:-/tmp/gpu-run}  # resume.pt (tens of MB) stays there: only what $OUT can take comes back
MINUTES=${MINUTES:-7}
WORKERS=${WORKERS:-$(( $(nproc) > 3 ? $(nproc) - 2 : 1 ))}
BATCH=${BATCH:-32}
SIZE=${SIZE:-256}
DEVICE=${DEVICE:-cuda}  # (cpu: to try this script here)

python3 -c "import torch, cv2, numpy, PIL, safetensors; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name() if torch.cuda.is_available() else '')" \
    || { echo "torch, opencv, numpy, pillow and safetensors are needed"; exit 1; }
[ -d "$DATA" ] || { echo "no photos at $DATA: copy ../shared/data/tattoo-photos there first (see the top of this file)"; exit 1; }

# Stopped by timeout, the run still leaves its latest 200-step checkpoint.
timeout $(( ${MINUTES%.*} * 60 + 150 )) python3 -m skingan_desktop train --data "$DATA" --run "$RUN" \
    --init resources/models/skingan-default.safetensors --scenes --tone 10 --hole-l1 1 --lattice 30 \
    --adversarial 0 --feature-matching 0 --size "$SIZE" --batch-size "$BATCH" --steps 1000000 \
    --minutes "$MINUTES" --device "$DEVICE" --loader-workers "$WORKERS" 2>&1 | tee "$OUT/train.log"
status=$?
cp "$RUN/latest.safetensors" "$RUN/model-card.json" "$OUT/" 2>/dev/null
last=$(ls "$RUN"/samples/*.png 2>/dev/null | tail -1)
[ -n "$last" ] && cp "$last" "$OUT/last-sample.png"
ls -la "$OUT"
exit $status
