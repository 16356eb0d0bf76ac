//! How treatysim writes a number, in its outputs and in its messages alike.

/// A float in its shortest round-trip form: plain decimals, with an exponent only for very
/// small or very large magnitudes (`1e-7`, `1e300`), which every CSV reader parses and which
/// keeps a message about `beta(1e-300, 1e300)` as short as what was written.
pub fn float(x: f64) -> String {
    let magnitude = x.abs();
    if magnitude != 0.0 && !(1e-5..1e16).contains(&magnitude) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}
