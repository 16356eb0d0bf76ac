//! The twelve model parameters, their canonical order and their domains (SPEC §3).

use std::fmt;

/// The set of values a parameter may take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// The closed unit interval [0, 1].
    Unit,
    /// [0, ∞).
    NonNegative,
    /// (0, ∞).
    Positive,
    /// (−∞, ∞).
    Real,
}

impl Domain {
    /// Whether `x` lies in the domain.
    pub fn contains(self, x: f64) -> bool {
        match self {
            Domain::Unit => (0.0..=1.0).contains(&x),
            Domain::NonNegative => x >= 0.0 && x.is_finite(),
            Domain::Positive => x > 0.0 && x.is_finite(),
            Domain::Real => x.is_finite(),
        }
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Domain::Unit => "[0, 1]",
            Domain::NonNegative => "[0, inf)",
            Domain::Positive => "(0, inf)",
            Domain::Real => "(-inf, inf)",
        })
    }
}

/// A model parameter. The declaration order is the canonical order of every output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Param {
    /// J: Japan's political will at the start.
    JapanWill,
    /// C: the most security concession Tokyo would make.
    JapanSecurityConcession,
    /// h: monthly chance that the prime minister leaves office.
    JapanLeaderExitHazard,
    /// S: Japan's will after the prime minister leaves.
    JapanSuccessorWill,
    /// R: Russia's political will at the start.
    RussiaWill,
    /// D: the least security concession Moscow would accept.
    RussiaSecurityDemand,
    /// U: Washington's indifference to the talks.
    UsIndifference,
    /// L: how much indifference adds to Tokyo's concession room.
    UsLeverage,
    /// λ: monthly chance of a leader-level meeting.
    ProcessSummitRate,
    /// σ: sd of the monthly random walk of each side's will.
    ProcessWillVolatility,
    /// θ: will needed to sign even with no security gap.
    ProcessSigningThreshold,
    /// s: logistic scale of the signing decision.
    ProcessDecisionNoise,
}

/// Number of model parameters.
pub const PARAM_COUNT: usize = 12;

impl Param {
    /// Every parameter in canonical order.
    pub const ALL: [Param; PARAM_COUNT] = [
        Param::JapanWill,
        Param::JapanSecurityConcession,
        Param::JapanLeaderExitHazard,
        Param::JapanSuccessorWill,
        Param::RussiaWill,
        Param::RussiaSecurityDemand,
        Param::UsIndifference,
        Param::UsLeverage,
        Param::ProcessSummitRate,
        Param::ProcessWillVolatility,
        Param::ProcessSigningThreshold,
        Param::ProcessDecisionNoise,
    ];

    /// The parameters that events may shift (the trial's mutable state).
    pub const STATE: [Param; 6] = [
        Param::JapanWill,
        Param::RussiaWill,
        Param::JapanSecurityConcession,
        Param::RussiaSecurityDemand,
        Param::UsIndifference,
        Param::ProcessSummitRate,
    ];

    /// Position in the canonical order.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The dotted key used in scenario files and outputs, e.g. `japan.will`.
    pub fn key(self) -> &'static str {
        match self {
            Param::JapanWill => "japan.will",
            Param::JapanSecurityConcession => "japan.security_concession",
            Param::JapanLeaderExitHazard => "japan.leader_exit_hazard",
            Param::JapanSuccessorWill => "japan.successor_will",
            Param::RussiaWill => "russia.will",
            Param::RussiaSecurityDemand => "russia.security_demand",
            Param::UsIndifference => "us.indifference",
            Param::UsLeverage => "us.leverage",
            Param::ProcessSummitRate => "process.summit_rate",
            Param::ProcessWillVolatility => "process.will_volatility",
            Param::ProcessSigningThreshold => "process.signing_threshold",
            Param::ProcessDecisionNoise => "process.decision_noise",
        }
    }

    /// The section (`japan`, `russia`, `us`, `process`).
    pub fn section(self) -> &'static str {
        self.key()
            .split_once('.')
            .map_or("", |(section, _)| section)
    }

    /// The key inside its section (`will`, `security_concession`, ...).
    pub fn field(self) -> &'static str {
        self.key().split_once('.').map_or("", |(_, field)| field)
    }

    /// The parameter's domain.
    pub fn domain(self) -> Domain {
        match self {
            Param::ProcessWillVolatility => Domain::NonNegative,
            Param::ProcessSigningThreshold => Domain::Real,
            Param::ProcessDecisionNoise => Domain::Positive,
            _ => Domain::Unit,
        }
    }

    /// Whether events may shift this parameter.
    pub fn is_state(self) -> bool {
        Param::STATE.contains(&self)
    }

    /// Looks a parameter up by its dotted key.
    pub fn from_key(key: &str) -> Option<Param> {
        Param::ALL.into_iter().find(|p| p.key() == key)
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

impl serde::Serialize for Param {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

impl<'de> serde::Deserialize<'de> for Param {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Param, D::Error> {
        let key = <String as serde::Deserialize>::deserialize(d)?;
        Param::from_key(&key)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown parameter `{key}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_in_canonical_order() {
        for (i, p) in Param::ALL.into_iter().enumerate() {
            assert_eq!(p.index(), i);
            assert_eq!(Param::from_key(p.key()), Some(p));
            assert_eq!(format!("{}.{}", p.section(), p.field()), p.key());
        }
        assert_eq!(Param::from_key("japan.wil"), None);
    }

    #[test]
    fn domains_match_the_spec() {
        assert!(Domain::Unit.contains(1.0) && !Domain::Unit.contains(1.0001));
        assert!(Domain::NonNegative.contains(0.0) && !Domain::Positive.contains(0.0));
        assert!(!Domain::Real.contains(f64::NAN));
        assert_eq!(Param::ProcessDecisionNoise.domain(), Domain::Positive);
    }
}
