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

/// `x` percent as a fraction, written as a person would (`1.5` → `0.015`, `1.1` → `0.011`):
/// for the advice "for 1.5% write 0.015" (`x / 100` alone can print `0.011000000000000001`).
pub fn percent_as_fraction(x: f64) -> String {
    let fixed = format!("{:.12}", x / 100.0);
    let trimmed = fixed.trim_end_matches('0').trim_end_matches('.');
    if trimmed.is_empty() || trimmed == "-" {
        "0".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percentage_becomes_the_fraction_a_person_writes() {
        assert_eq!(percent_as_fraction(1.5), "0.015");
        assert_eq!(percent_as_fraction(1.1), "0.011");
        assert_eq!(percent_as_fraction(30.0), "0.3");
        assert_eq!(percent_as_fraction(100.0), "1");
        assert_eq!(percent_as_fraction(12.5), "0.125");
    }
}
