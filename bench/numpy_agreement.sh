#!/usr/bin/env bash
# Does treatysim agree with the independent NumPy model (bench/numpy_model.py)?
#
#   bench/numpy_agreement.sh [NAME...]      default: every scenario in scenarios/ and
#                                           examples/scenarios/
#
# Runs both on each scenario with both estimators and checks that the two estimates agree,
# |p_numpy - p_rust| <= 4.5 * sqrt(se_numpy^2 + se_rust^2) (they share no random streams, so
# they agree within their standard errors, not exactly).  Prints one row per scenario and
# estimator; exits 0 when every row agrees, 1 when any disagrees or a run fails, 2 on bad usage.
#
# Environment: TREATYSIM (the binary, default target/release/treatysim, relative to the
# repository root: build it first with `cargo build --release`), TRIALS (default 200000; each
# scenario's own seed is used), PYTHON (default python3, with numpy and scipy).
set -uo pipefail
export LC_ALL=C  # '.' decimal point in printf and awk

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
bin=${TREATYSIM:-target/release/treatysim}
trials=${TRIALS:-200000}
python=${PYTHON:-python3}
dirs=(scenarios examples/scenarios)

case $bin in */*) ;; *) bin=$(command -v "$bin" || echo "$bin") ;; esac  # a name on PATH
if [ ! -x "$bin" ]; then
    echo "error: no treatysim binary at $bin (build it with cargo build --release, or set TREATYSIM)" >&2
    exit 2
fi
if ! "$python" -c 'import numpy, scipy' 2>/dev/null; then
    echo "error: $python lacks numpy or scipy (pip install numpy scipy)" >&2
    exit 2
fi

# The scenarios to check: "DIR NAME" pairs, every *.toml of each folder, or the NAMEs given.
pairs=()
for dir in "${dirs[@]}"; do
    for file in "$dir"/*.toml; do
        [ -e "$file" ] || continue
        name=$(basename "$file" .toml)
        if [ $# -eq 0 ] || printf '%s\n' "$@" | grep -qxF -- "$name"; then
            pairs+=("$dir $name")
        fi
    done
done
if [ ${#pairs[@]} -eq 0 ]; then
    echo "error: no scenario found${*:+ named $*}" >&2
    exit 2
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/numpy-agreement.XXXXXX")
trap 'rm -rf "$out"' EXIT

# probability and std_error of a summary.csv, read by column name: "P SE"
summary_values() {
    "$python" - "$1" <<'EOF'
import csv, sys
with open(sys.argv[1], newline="") as f:
    rows = list(csv.DictReader(f))
if len(rows) != 1:
    sys.exit(f"{sys.argv[1]}: expected one row, found {len(rows)}")
print(rows[0]["probability"], rows[0]["std_error"])
EOF
}

fmt='%-28s %-11s %10s %10s %10s %10s %7s  %s\n'
printf "$fmt" scenario estimator p_numpy se_numpy p_rust se_rust z verdict
failed=0
for pair in "${pairs[@]}"; do
    read -r dir name <<<"$pair"
    for estimator in conditional indicator; do
        # NumPy: one line "probability,std_error"
        if ! np=$("$python" bench/numpy_model.py "$dir/$name.toml" --trials "$trials" \
                  --estimator "$estimator" --scenarios "$dir" --csv 2>"$out/numpy.err"); then
            printf "$fmt" "$name" "$estimator" - - - - - "ERROR (numpy: $(tail -n1 "$out/numpy.err"))"
            failed=1
            continue
        fi
        IFS=, read -r p_np se_np <<<"$np"
        # treatysim: <out>/NAME/summary.csv, each (folder, estimator) in its own output folder
        dest="$out/$(echo "$dir" | tr '/' '_')-$estimator"
        if ! "$bin" run "$name" --scenarios "$dir" --out "$dest" --trials "$trials" \
                --estimator "$estimator" 2>"$out/rust.err" >/dev/null \
           || ! rs=$(summary_values "$dest/$name/summary.csv" 2>>"$out/rust.err"); then
            printf "$fmt" "$name" "$estimator" "$(printf %.6f "$p_np")" "$(printf %.6f "$se_np")" - - - \
                "ERROR (treatysim: $(tail -n1 "$out/rust.err"))"
            failed=1
            continue
        fi
        read -r p_rs se_rs <<<"$rs"
        # agreement test, in awk's double precision
        if ! row=$(awk -v a="$p_np" -v sa="$se_np" -v b="$p_rs" -v sb="$se_rs" 'BEGIN {
                d = a - b; if (d < 0) d = -d
                s = sqrt(sa * sa + sb * sb)
                ok = (d <= 4.5 * s)
                z = (s > 0) ? sprintf("%.2f", d / s) : (d == 0 ? "0.00" : "inf")
                printf "%.6f %.6f %.6f %.6f %s %s\n", a, sa, b, sb, z, ok ? "ok" : "DISAGREE"
                exit !ok }'); then
            failed=1
        fi
        read -r a sa b sb z verdict <<<"$row"
        printf "$fmt" "$name" "$estimator" "$a" "$sa" "$b" "$sb" "$z" "$verdict"
    done
done
if [ "$failed" -ne 0 ]; then
    echo "numpy_agreement: FAILED (a row disagrees beyond 4.5 standard errors or a run failed)" >&2
    exit 1
fi
echo "numpy_agreement: every scenario agrees within 4.5 standard errors ($trials trials)" >&2
