//! `<out>/LABEL/pool.svg`: the members of a pool of experts and the pooled probabilities.

use super::*;

/// One row of `pool.csv`: a member or a pooling method.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolRow {
    /// The member's name, or the method's (`linear`, `geometric-odds`).
    pub name: String,
    /// The member's weight as written (`None` for a method).
    pub weight: Option<f64>,
    /// P(treaty before the deadline).
    pub probability: f64,
    /// Lower end of the 95% interval.
    pub low: f64,
    /// Upper end of the 95% interval.
    pub high: f64,
    /// Whether it has an interval: a direct forecast (`pool --forecast`) has none, and its
    /// `low` and `high` equal its `probability`.
    pub interval: bool,
}

/// `pool.csv`: each member's probability and the pooled ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Pool {
    /// The pool's label, for the title.
    pub label: String,
    /// The members (rows with method `member`), in the file's order.
    pub members: Vec<PoolRow>,
    /// The pooling methods' rows, in the file's order.
    pub pooled: Vec<PoolRow>,
    /// Trials, seed and estimator of the pool; the deadline from its `summary.csv`.
    pub facts: Facts,
}

impl Pool {
    /// Reads `pool.csv`: columns `method`, `member`, `weight`, `probability`, `ci95_low`,
    /// `ci95_high` (and `trials`, `seed`, `estimator` for the facts).
    ///
    /// # Errors
    /// When the file cannot be read or a column is missing or malformed.
    pub fn read(path: &Path, label: &str) -> Result<Pool> {
        Pool::from_table(&Table::read(path)?, label)
    }

    /// As [`Pool::read`], from a table already read.
    ///
    /// # Errors
    /// When a column is missing or malformed.
    pub fn from_table(table: &Table, label: &str) -> Result<Pool> {
        let method = table.texts("method")?;
        let member = table.texts("member")?;
        let weight = table.optional_numbers("weight")?;
        // Empty: a direct forecast's interval, or a geometric pool that is undefined.
        let probability = table.optional_probabilities("probability")?;
        let low = table.optional_probabilities("ci95_low")?;
        let high = table.optional_probabilities("ci95_high")?;
        let mut pool = Pool {
            label: label.to_string(),
            members: Vec::new(),
            pooled: Vec::new(),
            facts: Facts::from_table(table),
        };
        for i in 0..method.len() {
            let is_member = method[i].trim() == "member";
            let Some(p) = probability[i] else {
                continue;
            };
            let row = PoolRow {
                name: if is_member {
                    member[i].clone()
                } else {
                    method[i].clone()
                },
                weight: if is_member { weight[i] } else { None },
                probability: p,
                low: low[i].unwrap_or(p),
                high: high[i].unwrap_or(p),
                interval: low[i].is_some() && high[i].is_some(),
            };
            if is_member {
                pool.members.push(row);
            } else {
                pool.pooled.push(row);
            }
        }
        Ok(pool)
    }

    /// Each member's share of the pool: its weight over the sum of the weights, when the
    /// weights are all there, none negative, and their sum is positive and finite.
    pub fn shares(&self) -> Option<Vec<f64>> {
        let weights: Option<Vec<f64>> = self.members.iter().map(|m| m.weight).collect();
        let weights = weights?;
        let total: f64 = weights.iter().sum();
        (total.is_finite() && total > 0.0 && weights.iter().all(|w| *w >= 0.0))
            .then(|| weights.iter().map(|w| w / total).collect())
    }
}

/// A member's share of a pool as a percentage, to three significant digits without trailing
/// zeros (`25%`, `33.3%`, `1.66%`, `0.415%`): a share rounded to a whole percent would read
/// `0%` for a member that counts, and `2%` for both 1.66% and 2.49%.
pub fn share(fraction: f64) -> String {
    let text = percent(fraction);
    match text.strip_suffix('%') {
        Some(number) if number.contains('.') => {
            format!("{}%", number.trim_end_matches('0').trim_end_matches('.'))
        }
        _ => text,
    }
}

/// `pool.svg`: a dot-and-whisker chart, each member's probability with its 95% interval and
/// its weight, then each pooled probability, in another colour.
///
/// # Errors
/// [`Error::Io`] when plotters fails to draw.
pub fn pool_svg(pool: &Pool) -> Result<String> {
    let shares = pool.shares();
    let mut rows: Vec<DotRow> = pool
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let weight = match (m.weight, &shares) {
                // Weights that are already shares (pool.csv's, normalised): the share alone.
                (Some(w), Some(shares)) if (w - shares[i]).abs() < 1e-9 => {
                    format!("weight {}", share(shares[i]))
                }
                (Some(w), Some(shares)) => {
                    format!("weight {} ({})", short_number(w), share(shares[i]))
                }
                (Some(w), None) => format!("weight {}", short_number(w)),
                (None, _) => "no weight".into(),
            };
            DotRow {
                label: format!("{} · {weight}", m.name),
                probability: m.probability,
                low: m.low,
                high: m.high,
                colour: LINE,
                interval: m.interval,
            }
        })
        .collect();
    rows.extend(pool.pooled.iter().map(|p| DotRow {
        label: format!("{} pool", p.name),
        probability: p.probability,
        low: p.low,
        high: p.high,
        colour: SECOND,
        interval: p.interval,
    }));
    let title = format!(
        "{}: the experts and their pools, with 95% intervals",
        pool.label
    );
    let entries = [
        (
            Key::Swatch(LINE.into()),
            "a member, with its weight (share)".to_string(),
        ),
        (Key::Swatch(SECOND.into()), "pooled".to_string()),
    ];
    render(
        &format!("the pool {}", pool.label),
        (dots_width(&rows), dots_height(rows.len()) + 40),
        |root| {
            draw_dots(
                root,
                (&title, &pool.facts.line()),
                "P(treaty before the deadline)",
                &rows,
                &entries,
            )
        },
    )
}
