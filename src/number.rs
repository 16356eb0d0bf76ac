//! How treatysim writes a number, in its outputs and in its messages alike.

/// A float in its shortest round-trip form: plain decimals, with an exponent only for very
/// small or very large magnitudes (`1e-7`, `1e300`), which every CSV reader parses and which
/// keeps a message about `beta(1e-300, 1e300)` as short as what was written.
///
/// The text is that of Rust's `{}` for magnitudes in [1e-5, 1e16) and zero, and of `{:e}`
/// otherwise; [`write_float`] appends the same text without allocating.
pub fn float(x: f64) -> String {
    let mut text = Vec::with_capacity(24);
    write_float(&mut text, x);
    String::from_utf8(text).unwrap_or_default()
}

/// Appends [`float`]'s text of `x` to `out`: the samples writer's hot path (ten or more
/// numbers a trial), which formatted each number into a `String` of its own with the standard
/// library's shortest-digits search and spent more than half its time there.
///
/// The shortest digits come from `ryu` (the digits the standard library finds, faster: both
/// give the shortest string that reads back to `x`, the closest to `x` among those); they are
/// then laid out as `{}` or `{:e}` would. `number::tests` checks the bytes against the
/// standard library's on millions of bit patterns, subnormals and extremes included.
pub fn write_float(out: &mut Vec<u8>, x: f64) {
    if !x.is_finite() {
        let text = if x.is_nan() {
            "NaN"
        } else if x > 0.0 {
            "inf"
        } else {
            "-inf"
        };
        out.extend_from_slice(text.as_bytes());
        return;
    }
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(x).as_bytes();
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    // ryu writes `DIGITS[.DIGITS]` or `D[.DIGITS]e[-]N`: gather the significant digits and
    // the position of the decimal point, x = 0.DIGITS × 10^point.
    let (mantissa, exponent) = match text.iter().position(|&b| b == b'e') {
        Some(e) => (
            &text[..e],
            std::str::from_utf8(&text[e + 1..])
                .ok()
                .and_then(|n| n.parse::<i32>().ok())
                .unwrap_or(0),
        ),
        None => (text, 0),
    };
    let mut digits = [0u8; 32];
    let mut n = 0;
    let mut before_point = None;
    for &b in mantissa {
        if b == b'.' {
            before_point = Some(n);
        } else if n < digits.len() {
            digits[n] = b;
            n += 1;
        }
    }
    let before_point = before_point.unwrap_or(n);
    let leading = digits[..n].iter().take_while(|&&d| d == b'0').count();
    if negative {
        out.push(b'-');
    }
    if leading == n {
        out.push(b'0');
        return;
    }
    let point = before_point as i32 - leading as i32 + exponent;
    let mut end = n;
    while digits[end - 1] == b'0' {
        end -= 1;
    }
    let mut digits = &mut digits[leading..end];
    let mut point = point;
    // ryu breaks a tie between two shortest candidates to the even digit, the standard
    // library away from zero: x exactly halfway above ryu's digits takes the next ones up.
    if halfway_above(x, digits, point) {
        let mut i = digits.len();
        loop {
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
                if i == 0 {
                    // 99…9 + 1: a single 1 one place further left.
                    digits[0] = b'1';
                    point += 1;
                    break;
                }
            } else {
                digits[i] += 1;
                break;
            }
        }
        let mut end = digits.len();
        while end > 1 && digits[end - 1] == b'0' {
            end -= 1;
        }
        digits = &mut digits[..end];
    }
    let digits: &[u8] = digits;
    if !(1e-5..1e16).contains(&x.abs()) {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.extend_from_slice(itoa::Buffer::new().format(point - 1).as_bytes());
    } else if point <= 0 {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + point.unsigned_abs() as usize, b'0');
        out.extend_from_slice(digits);
    } else if (point as usize) < digits.len() {
        out.extend_from_slice(&digits[..point as usize]);
        out.push(b'.');
        out.extend_from_slice(&digits[point as usize..]);
    } else {
        out.extend_from_slice(digits);
        out.resize(out.len() + (point as usize - digits.len()), b'0');
    }
}

/// Whether |x| is exactly (DIGITS + 1/2) × 10^(point − len): halfway between the decimal
/// `digits` (significant, no trailing zero, x ≈ 0.DIGITS × 10^point) and the next ones up.
/// With x = m·2^e and D the digits as an integer, p = point − len, that is
/// m·2^(e+1) = (2D + 1)·5^p·2^p, each side's odd part and power of two equal. (2D + 1) is below
/// 2·10^17 and m below 2^53, so past 5^25 on either side no tie is possible.
fn halfway_above(x: f64, digits: &[u8], point: i32) -> bool {
    let bits = x.to_bits();
    let exponent_bits = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = if exponent_bits == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), exponent_bits - 1075)
    };
    if m == 0 {
        return false;
    }
    let twos = m.trailing_zeros() as i32;
    let p = point - digits.len() as i32;
    // x = m_odd·2^(twos+e); 2x·10^−p = 2D + 1 (odd) requires the powers of two to cancel,
    // which settles almost every number before any arithmetic on its digits.
    if twos + e + 1 != p {
        return false;
    }
    let m_odd = u128::from(m >> twos);
    let odd = 2 * digits
        .iter()
        .fold(0u128, |v, &c| v * 10 + u128::from(c - b'0'))
        + 1;
    if p >= 0 {
        p <= 25 && m_odd == odd * 5u128.pow(p as u32)
    } else {
        -p <= 25 && m_odd * 5u128.pow((-p) as u32) == odd
    }
}

/// The number of percent `text` holds when it is written as a percentage (`"40%"`, `" 1.5 %"`),
/// finite; `None` for anything else. For the advice to write a fraction instead.
pub fn percentage(text: &str) -> Option<f64> {
    text.trim()
        .strip_suffix('%')
        .and_then(|x| x.trim().parse::<f64>().ok())
        .filter(|x| x.is_finite())
}

/// The advice for `written`, a percentage of `x` where a fraction is wanted, after the quoted
/// text: "is a percentage; numbers are written as fractions: write 0.4 for 40%".
pub fn percent_advice(x: f64, written: &str) -> String {
    format!(
        "is a percentage; numbers are written as fractions: write {} for {written}",
        percent_as_fraction(x)
    )
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
    use rand::{RngExt, SeedableRng};

    /// The text `float` had before `write_float`: the standard library's.
    fn reference(x: f64) -> String {
        let magnitude = x.abs();
        if magnitude != 0.0 && !(1e-5..1e16).contains(&magnitude) {
            format!("{x:e}")
        } else {
            format!("{x}")
        }
    }

    /// The significant digits of a float's text (either layout), without the point.
    fn mantissa(text: &str) -> String {
        let digits: String = text
            .split('e')
            .next()
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        digits.trim_matches('0').to_string()
    }

    fn check(x: f64) {
        let mut out = b"previous,".to_vec();
        write_float(&mut out, x);
        assert_eq!(
            std::str::from_utf8(&out[9..]).expect("ASCII"),
            reference(x),
            "bits {:#x}",
            x.to_bits()
        );
        assert_eq!(&out[..9], b"previous,");
        assert_eq!(float(x), reference(x));
    }

    #[test]
    fn the_text_is_the_standard_librarys_at_the_edges() {
        let edges = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.5,
            1e-5,
            9.999_999_999_999_999e-6,
            1.000_000_000_000_000_2e-5,
            1e16,
            9_999_999_999_999_998.0,
            1e15,
            123_456_789_012_345_680.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            1e308,
            1e-100,
            1e100,
            2.5e-7,
            0.000_012_345,
            100.0,
            1e-300,
            f64::EPSILON,
            1.0 - f64::EPSILON / 2.0,
            std::f64::consts::PI,
            0.3,
            2.0 / 3.0,
            4_503_599_627_370_497.0,
        ];
        for x in edges {
            check(x);
            check(-x);
        }
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(float(x), format!("{x}"));
        }
    }

    #[test]
    fn the_text_is_the_standard_librarys_on_random_bit_patterns() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(20_201_122);
        for _ in 0..1_000_000 {
            let x = f64::from_bits(rng.random::<u64>());
            if x.is_finite() {
                check(x);
            }
        }
        // Draws as the samples hold them: [0, 1] and moderate magnitudes.
        for _ in 0..1_000_000 {
            let u: f64 = rng.random();
            check(u);
            check(u * 1e6 - 5e5);
            check(u.powi(40));
        }
        // Numbers with short exact expansions (few significant bits), where two shortest
        // candidates can tie: 1602717049955578.25 is "…578.3" (ryu alone gave "…578.2").
        let mut ties = 0;
        for bits in 20..=53 {
            for shift in -40..=40 {
                for _ in 0..200 {
                    let k = (1u64 << (bits - 1)) | (rng.random::<u64>() >> (65 - bits));
                    let x = k as f64 * 2f64.powi(shift);
                    if mantissa(ryu::Buffer::new().format_finite(x)) != mantissa(&format!("{x:e}"))
                    {
                        ties += 1;
                    }
                    check(x);
                }
            }
        }
        assert!(
            ties > 100,
            "only {ties} ties between shortest candidates were tried"
        );
        // Every power of ten's neighbours, where the layout switches.
        for e in -324..=308 {
            let x: f64 = format!("1e{e}").parse().expect("a number");
            for y in [
                x,
                f64::from_bits(x.to_bits() + 1),
                f64::from_bits(x.to_bits().saturating_sub(1)),
            ] {
                check(y);
            }
        }
    }

    #[test]
    fn a_percentage_becomes_the_fraction_a_person_writes() {
        assert_eq!(percent_as_fraction(1.5), "0.015");
        assert_eq!(percent_as_fraction(1.1), "0.011");
        assert_eq!(percent_as_fraction(30.0), "0.3");
        assert_eq!(percent_as_fraction(100.0), "1");
        assert_eq!(percent_as_fraction(12.5), "0.125");
    }
}
