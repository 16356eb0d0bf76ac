#!/usr/bin/env python3
"""Reads samples.parquet with pandas and polars and checks it against samples.csv of the same
run (issue #12 item 8): the documented columns in order, their types (trial an integer, draws and
signed_probability floats, months strings 'YYYY-MM' or null), the row count, and every value.

    python3 bench/read_samples.py [TREATYSIM] [TRIALS]

runs `treatysim run baseline` with each estimator twice (--samples, --samples-format parquet)
into a temporary folder. Needs pandas, polars and pyarrow (pip install pandas polars pyarrow).
Exits 1 on any difference.
"""

import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
import polars as pl

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TARGET, "release", "treatysim")
TRIALS = sys.argv[2] if len(sys.argv) > 2 else "100000"


def run(out, estimator, *samples):
    subprocess.run(
        [BIN, "run", "baseline", "--trials", TRIALS, "--estimator", estimator,
         "--scenarios", os.path.join(ROOT, "scenarios"), "--out", out, *samples],
        check=True, stderr=subprocess.DEVNULL)
    return os.path.join(out, "baseline")


def cells(series):
    """A pandas column of text as a list, None for missing (pandas may hold NaN or NA)."""
    return series.astype(object).where(series.notna(), None).tolist()


def check(estimator, work):
    csv_path = os.path.join(run(os.path.join(work, estimator + "-csv"), estimator, "--samples"),
                            "samples.csv")
    parquet_path = os.path.join(
        run(os.path.join(work, estimator + "-parquet"), estimator,
            "--samples-format", "parquet"), "samples.parquet")
    # Months as text in both, as the CSV writes them.
    csv = pd.read_csv(csv_path, dtype={c: "string" for c in pd.read_csv(csv_path, nrows=0)
                                       if c.endswith("_month")})
    pdf = pd.read_parquet(parquet_path)
    plf = pl.read_parquet(parquet_path)
    months = [c for c in csv.columns if c.endswith("_month")]
    reals = [c for c in csv.columns if c != "trial" and c not in months]
    problems = []
    if list(pdf.columns) != list(csv.columns) or plf.columns != list(csv.columns):
        problems.append("columns differ from samples.csv")
    if len(pdf) != len(csv) or plf.height != len(csv):
        problems.append(f"rows: csv {len(csv)}, pandas {len(pdf)}, polars {plf.height}")
    if pdf["trial"].dtype != np.int64 or plf.schema["trial"] != pl.Int64:
        problems.append(f"trial: pandas {pdf['trial'].dtype}, polars {plf.schema['trial']}")
    for c in reals:
        if pdf[c].dtype != np.float64 or plf.schema[c] != pl.Float64:
            problems.append(f"{c}: pandas {pdf[c].dtype}, polars {plf.schema[c]}")
        # Bit for bit: the CSV's shortest round-trip text parses back to the same double.
        if not (np.array_equal(pdf[c].to_numpy(), csv[c].to_numpy())
                and np.array_equal(plf[c].to_numpy(), csv[c].to_numpy())):
            problems.append(f"{c}: values differ")
    for c in months:
        if plf.schema[c] != pl.String:
            problems.append(f"{c}: polars {plf.schema[c]}")
        expected = cells(csv[c])
        if cells(pdf[c]) != expected or plf[c].to_list() != expected:
            problems.append(f"{c}: values differ")
    if not (pdf["trial"].to_numpy() == csv["trial"].to_numpy()).all():
        problems.append("trial: values differ")
    nulls = {c: int(plf[c].null_count()) for c in months}
    print(f"{estimator}: {len(pdf)} rows, {len(pdf.columns)} columns; pandas dtypes "
          f"{ {k: int(v) for k, v in pdf.dtypes.astype(str).value_counts().items()} }; polars "
          f"{dict((str(t), list(plf.schema.values()).count(t)) for t in set(plf.schema.values()))}; "
          f"nulls {nulls}; {'OK' if not problems else 'DIFFERENT'}")
    if estimator == "indicator":
        signed = plf.filter(pl.col("signed_month").is_not_null())
        print(signed.select(["trial", reals[0], *months]).head(3))
    for p in problems:
        print("  " + p)
    return not problems


def main():
    print(f"pandas {pd.__version__}, polars {pl.__version__}")
    with tempfile.TemporaryDirectory() as work:
        ok = all([check(e, work) for e in ("conditional", "indicator")])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
