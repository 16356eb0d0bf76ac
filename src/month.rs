//! Calendar months written `YYYY-MM`.

use std::fmt;

/// A calendar month, stored as months since year 0 so that differences are month counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(i32);

impl Month {
    /// Parses `YYYY-MM` (four-digit year, two-digit month 01–12).
    ///
    /// # Errors
    /// A message saying what was wrong and what is accepted.
    pub fn parse(text: &str) -> Result<Month, String> {
        let bad = || format!("\"{text}\" is not a month; write YYYY-MM, e.g. \"2020-01\"");
        let (year, month) = text.split_once('-').ok_or_else(bad)?;
        if year.len() != 4 || month.len() != 2 {
            return Err(bad());
        }
        if !(year.bytes().all(|b| b.is_ascii_digit()) && month.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        let year: i32 = year.parse().map_err(|_| bad())?;
        let month: i32 = month.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) {
            return Err(format!(
                "\"{text}\" has month {month}; months run from 01 to 12"
            ));
        }
        Ok(Month(year * 12 + month - 1))
    }

    /// The month `n` months later.
    pub fn plus(self, n: usize) -> Month {
        Month(self.0 + n as i32)
    }

    /// Months from `self` to `later` (negative when `later` is earlier).
    pub fn months_until(self, later: Month) -> i64 {
        i64::from(later.0) - i64::from(self.0)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}",
            self.0.div_euclid(12),
            self.0.rem_euclid(12) + 1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let m = Month::parse("2020-01").unwrap();
        assert_eq!(m.to_string(), "2020-01");
        assert_eq!(m.plus(20).to_string(), "2021-09");
        assert_eq!(m.months_until(Month::parse("2021-09").unwrap()), 20);
    }

    #[test]
    fn rejects_malformed_months() {
        for bad in [
            "2020-13",
            "2020-00",
            "2020-1",
            "20-01",
            "2020/01",
            "",
            "2020-01-01",
            "abcd-ef",
        ] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
    }
}
