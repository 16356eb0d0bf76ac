//! The cast of a scenario compiled once: its parties, issues and parameters, in canonical order
//! (SPEC §3). Every module that names a parameter — the model, the engine, the copula, sweeps,
//! sensitivity, shards, every CSV header — resolves keys against one [`Cast`] and from then on
//! works with indices ([`ParamId`]).
//!
//! In the model's symbols (SPEC §4): signatory P has will W_P, exit hazard h_P and successor
//! will S_P; outside party O has indifference U_O; issue I has concession C_I, demand D_I,
//! leverage L_{I,O}, pressure K_{I,O} and drifts δC_I and δD_I; the process has λ, σ, θ and s.
//!
//! # Example
//! ```
//! use treatysim::cast::{Cast, Party, Issue, Role};
//! let cast = Cast::new(
//!     vec![
//!         Party::new("japan", Role::Signatory),
//!         Party::new("russia", Role::Signatory),
//!         Party::new("us", Role::Outside),
//!     ],
//!     vec![Issue::new("security", 0, 1, vec![2])],
//!     &[true, false],
//!     &[false, false],
//! );
//! let will = cast.id("party.russia.will").unwrap();
//! assert_eq!(cast.key(will), "party.russia.will");
//! assert!(cast.resolve("party.russia.wil").unwrap_err().contains("did you mean"));
//! assert_eq!(cast.keys().count(), 11);
//! ```

use crate::rng;
use std::collections::HashMap;
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

/// Whether a party signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Must be willing for the treaty to be signed.
    Signatory,
    /// Sways the talks through its indifference and the issues' leverage; does not sign.
    Outside,
}

impl Role {
    /// The word used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Role::Signatory => "signatory",
            Role::Outside => "outside",
        }
    }
}

/// A party to the talks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    /// Its name, `[a-z][a-z0-9_]*`.
    pub name: String,
    /// Display name for plots (default: the name).
    pub label: String,
    /// Signatory or outside party.
    pub role: Role,
}

impl Party {
    /// A party labelled with its name.
    pub fn new(name: &str, role: Role) -> Party {
        Party {
            name: name.to_string(),
            label: name.to_string(),
            role,
        }
    }
}

/// An issue dividing two signatories.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// Its name, `[a-z][a-z0-9_]*`.
    pub name: String,
    /// Index (in [`Cast::parties`]) of the signatory that must give ground.
    pub concedes: usize,
    /// Index of the signatory that must be satisfied.
    pub demands: usize,
    /// Indices of the outside parties with a leverage entry on this issue, in party order.
    pub leverage: Vec<usize>,
    /// Indices of the outside parties with a pressure entry on this issue, in party order.
    pub pressure: Vec<usize>,
    /// Whether it has a `concession_drift`, δC_I.
    pub concession_drift: bool,
    /// Whether it has a `demand_drift`, δD_I.
    pub demand_drift: bool,
    /// Whether no treaty can be signed while its gap is open.
    pub dealbreaker: bool,
}

impl Issue {
    /// An issue with leverage from these outside parties and none of pressure, drift or
    /// dealbreaker.
    pub fn new(name: &str, concedes: usize, demands: usize, leverage: Vec<usize>) -> Issue {
        Issue {
            name: name.to_string(),
            concedes,
            demands,
            leverage,
            pressure: Vec::new(),
            concession_drift: false,
            demand_drift: false,
            dealbreaker: false,
        }
    }
}

/// What a parameter is, in the model's symbols.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// W_P of the signatory with this party index.
    Will(usize),
    /// h_P.
    LeaderExitHazard(usize),
    /// S_P.
    SuccessorWill(usize),
    /// U_O of the outside party with this party index.
    Indifference(usize),
    /// C_I of the issue with this index.
    Concession(usize),
    /// D_I.
    Demand(usize),
    /// L_{I,O}: issue index, party index.
    Leverage(usize, usize),
    /// K_{I,O}: issue index, party index.
    Pressure(usize, usize),
    /// δC_I.
    ConcessionDrift(usize),
    /// δD_I.
    DemandDrift(usize),
    /// λ.
    SummitRate,
    /// σ.
    WillVolatility,
    /// θ.
    SigningThreshold,
    /// s.
    DecisionNoise,
}

impl Kind {
    /// The parameter's domain (SPEC §3).
    pub fn domain(self) -> Domain {
        match self {
            Kind::WillVolatility => Domain::NonNegative,
            Kind::SigningThreshold | Kind::ConcessionDrift(_) | Kind::DemandDrift(_) => {
                Domain::Real
            }
            Kind::DecisionNoise => Domain::Positive,
            _ => Domain::Unit,
        }
    }

    /// Whether events may shift it: every will, indifference, concession and demand, and λ.
    pub fn is_state(self) -> bool {
        matches!(
            self,
            Kind::Will(_)
                | Kind::Indifference(_)
                | Kind::Concession(_)
                | Kind::Demand(_)
                | Kind::SummitRate
        )
    }
}

/// A parameter's position in the canonical order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ParamId(pub usize);

impl ParamId {
    /// Position in the canonical order.
    pub fn index(self) -> usize {
        self.0
    }
}

/// One parameter of a cast.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamInfo {
    /// Its full key, e.g. `party.japan.will`.
    pub key: String,
    /// What it is.
    pub kind: Kind,
    /// Its random stream's number, a hash of the key: a parameter's draws depend on its key,
    /// not on its position (SPEC §5).
    pub stream: u64,
}

/// The process parameters, in canonical order, with their fields.
pub const PROCESS: [(&str, Kind); 4] = [
    ("summit_rate", Kind::SummitRate),
    ("will_volatility", Kind::WillVolatility),
    ("signing_threshold", Kind::SigningThreshold),
    ("decision_noise", Kind::DecisionNoise),
];

/// Fields of a signatory's table that are parameters.
pub const SIGNATORY_FIELDS: [&str; 3] = ["will", "leader_exit_hazard", "successor_will"];

/// Fields of an outside party's table that are parameters.
pub const OUTSIDE_FIELDS: [&str; 1] = ["indifference"];

/// Fields of an issue's table that are parameters (besides `leverage.O` and `pressure.O`).
pub const ISSUE_FIELDS: [&str; 4] = ["concession", "demand", "concession_drift", "demand_drift"];

/// A scenario's parties, issues and parameters, in canonical order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cast {
    /// Every party, in declaration order.
    pub parties: Vec<Party>,
    /// Every issue, in declaration order.
    pub issues: Vec<Issue>,
    params: Vec<ParamInfo>,
    index: HashMap<String, ParamId>,
}

impl Cast {
    /// The cast of these parties and issues. `hazards[k]` and `successors[k]` say whether the
    /// k-th signatory (in party order) has a `leader_exit_hazard` and a `successor_will`.
    /// Canonical order: each party's parameters in party order (a signatory's will, hazard,
    /// successor will; an outside party's indifference), then each issue's concession, demand,
    /// leverage by outside party, pressure by outside party, concession drift and demand drift
    /// (those it has), then `process.*`.
    pub fn new(
        parties: Vec<Party>,
        issues: Vec<Issue>,
        hazards: &[bool],
        successors: &[bool],
    ) -> Cast {
        let mut params = Vec::new();
        let mut push = |key: String, kind: Kind| {
            let stream = stream_of(&key);
            params.push(ParamInfo { key, kind, stream });
        };
        let mut signatory = 0;
        for (p, party) in parties.iter().enumerate() {
            let at = |field: &str| format!("party.{}.{field}", party.name);
            match party.role {
                Role::Signatory => {
                    push(at("will"), Kind::Will(p));
                    if hazards.get(signatory).copied().unwrap_or(false) {
                        push(at("leader_exit_hazard"), Kind::LeaderExitHazard(p));
                    }
                    if successors.get(signatory).copied().unwrap_or(false) {
                        push(at("successor_will"), Kind::SuccessorWill(p));
                    }
                    signatory += 1;
                }
                Role::Outside => push(at("indifference"), Kind::Indifference(p)),
            }
        }
        for (i, issue) in issues.iter().enumerate() {
            push(
                format!("issue.{}.concession", issue.name),
                Kind::Concession(i),
            );
            push(format!("issue.{}.demand", issue.name), Kind::Demand(i));
            for &o in &issue.leverage {
                push(
                    format!("issue.{}.leverage.{}", issue.name, parties[o].name),
                    Kind::Leverage(i, o),
                );
            }
            for &o in &issue.pressure {
                push(
                    format!("issue.{}.pressure.{}", issue.name, parties[o].name),
                    Kind::Pressure(i, o),
                );
            }
            if issue.concession_drift {
                push(
                    format!("issue.{}.concession_drift", issue.name),
                    Kind::ConcessionDrift(i),
                );
            }
            if issue.demand_drift {
                push(
                    format!("issue.{}.demand_drift", issue.name),
                    Kind::DemandDrift(i),
                );
            }
        }
        for (field, kind) in PROCESS {
            push(format!("process.{field}"), kind);
        }
        let index = params
            .iter()
            .enumerate()
            .map(|(i, p)| (p.key.clone(), ParamId(i)))
            .collect();
        Cast {
            parties,
            issues,
            params,
            index,
        }
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// Whether there are no parameters (never, for a valid scenario).
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// Every parameter, canonical order.
    pub fn params(&self) -> &[ParamInfo] {
        &self.params
    }

    /// Every parameter's id, canonical order.
    pub fn ids(&self) -> impl Iterator<Item = ParamId> + '_ {
        (0..self.params.len()).map(ParamId)
    }

    /// Every key, canonical order.
    pub fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.params.iter().map(|p| p.key.as_str())
    }

    /// The parameter with this key.
    pub fn id(&self, key: &str) -> Option<ParamId> {
        self.index.get(key).copied()
    }

    /// The parameter with this key, or a message naming the keys there are, with a
    /// did-you-mean.
    ///
    /// # Errors
    /// An unknown key.
    pub fn resolve(&self, key: &str) -> Result<ParamId, String> {
        self.id(key).ok_or_else(|| {
            format!(
                "`{key}` is not a parameter of this scenario{}; its parameters: {}",
                did_you_mean(key, self.keys()),
                self.keys().collect::<Vec<_>>().join(", ")
            )
        })
    }

    /// A parameter's key.
    pub fn key(&self, id: ParamId) -> &str {
        &self.params[id.0].key
    }

    /// A parameter's kind.
    pub fn kind(&self, id: ParamId) -> Kind {
        self.params[id.0].kind
    }

    /// A parameter's domain.
    pub fn domain(&self, id: ParamId) -> Domain {
        self.params[id.0].kind.domain()
    }

    /// A parameter's random stream number.
    pub fn stream(&self, id: ParamId) -> u64 {
        self.params[id.0].stream
    }

    /// The parameter of this kind, if the cast has it.
    pub fn find(&self, kind: Kind) -> Option<ParamId> {
        self.params.iter().position(|p| p.kind == kind).map(ParamId)
    }

    /// The party indices of the signatories, in order.
    pub fn signatories(&self) -> impl Iterator<Item = usize> + '_ {
        self.parties
            .iter()
            .enumerate()
            .filter(|(_, p)| p.role == Role::Signatory)
            .map(|(i, _)| i)
    }

    /// The party indices of the outside parties, in order.
    pub fn outside(&self) -> impl Iterator<Item = usize> + '_ {
        self.parties
            .iter()
            .enumerate()
            .filter(|(_, p)| p.role == Role::Outside)
            .map(|(i, _)| i)
    }

    /// The party with this name.
    pub fn party(&self, name: &str) -> Option<usize> {
        self.parties.iter().position(|p| p.name == name)
    }

    /// The keys events may shift, canonical order.
    pub fn state_keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.params
            .iter()
            .filter(|p| p.kind.is_state())
            .map(|p| p.key.as_str())
    }
}

/// The stream number of a key: FNV-1a over its bytes, mixed. Distinct keys get distinct
/// streams with overwhelming probability (and [`crate::scenario`] checks it).
pub fn stream_of(key: &str) -> u64 {
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    rng::mix(hash)
}

/// "; did you mean `x`?" when a close match exists: a candidate whose last parts are `word`
/// (`deadline` → `simulation.deadline`, `leverage` → `issue.security.leverage.us`, the only
/// ones), else the most similar spelling (Jaro–Winkler above 0.8).
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let lower = word.to_ascii_lowercase();
    let by_part: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| {
            c.ends_with(&format!(".{lower}"))
                || c.contains(&format!(".{lower}."))
                || (*c != word && c.eq_ignore_ascii_case(word))
        })
        .collect();
    if let [only] = by_part[..] {
        return format!("; did you mean `{only}`?");
    }
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// Whether `name` is a valid party or issue name, `[a-z][a-z0-9_]*`.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cast() -> Cast {
        Cast::new(
            vec![
                Party::new("a", Role::Signatory),
                Party::new("o", Role::Outside),
                Party::new("b", Role::Signatory),
                Party::new("c", Role::Signatory),
            ],
            vec![
                Issue::new("x", 0, 2, vec![1]),
                Issue {
                    pressure: vec![1],
                    demand_drift: true,
                    dealbreaker: true,
                    ..Issue::new("y", 3, 0, vec![])
                },
            ],
            &[false, true, false],
            &[false, true, false],
        )
    }

    #[test]
    fn canonical_order_is_parties_then_issues_then_process() {
        let cast = cast();
        let keys: Vec<&str> = cast.keys().collect();
        assert_eq!(
            keys,
            [
                "party.a.will",
                "party.o.indifference",
                "party.b.will",
                "party.b.leader_exit_hazard",
                "party.b.successor_will",
                "party.c.will",
                "issue.x.concession",
                "issue.x.demand",
                "issue.x.leverage.o",
                "issue.y.concession",
                "issue.y.demand",
                "issue.y.pressure.o",
                "issue.y.demand_drift",
                "process.summit_rate",
                "process.will_volatility",
                "process.signing_threshold",
                "process.decision_noise",
            ]
        );
    }

    #[test]
    fn keys_resolve_to_ids_and_kinds() {
        let cast = cast();
        for id in cast.ids() {
            assert_eq!(cast.id(cast.key(id)), Some(id));
        }
        let leverage = cast.id("issue.x.leverage.o").unwrap();
        assert_eq!(cast.kind(leverage), Kind::Leverage(0, 1));
        assert_eq!(
            cast.domain(cast.id("process.decision_noise").unwrap()),
            Domain::Positive
        );
        let pressure = cast.id("issue.y.pressure.o").unwrap();
        assert_eq!(cast.kind(pressure), Kind::Pressure(1, 1));
        assert_eq!(cast.domain(pressure), Domain::Unit);
        let drift = cast.id("issue.y.demand_drift").unwrap();
        assert_eq!(cast.kind(drift), Kind::DemandDrift(1));
        assert_eq!(cast.domain(drift), Domain::Real);
        assert!(!Kind::DemandDrift(1).is_state() && !Kind::Pressure(1, 1).is_state());
        assert!(
            cast.resolve("issue.x.demnd")
                .unwrap_err()
                .contains("`issue.x.demand`")
        );
        assert_eq!(cast.signatories().collect::<Vec<_>>(), [0, 2, 3]);
        assert_eq!(cast.outside().collect::<Vec<_>>(), [1]);
        assert_eq!(
            cast.state_keys().collect::<Vec<_>>(),
            [
                "party.a.will",
                "party.o.indifference",
                "party.b.will",
                "party.c.will",
                "issue.x.concession",
                "issue.x.demand",
                "issue.y.concession",
                "issue.y.demand",
                "process.summit_rate"
            ]
        );
    }

    #[test]
    fn streams_follow_keys_not_positions() {
        let cast = cast();
        let streams: std::collections::HashSet<u64> =
            cast.params().iter().map(|p| p.stream).collect();
        assert_eq!(streams.len(), cast.len());
        assert_eq!(
            cast.stream(cast.id("party.c.will").unwrap()),
            stream_of("party.c.will")
        );
    }

    #[test]
    fn did_you_mean_finds_a_key_by_its_last_parts() {
        let keys = [
            "simulation.deadline",
            "issue.security.leverage.us",
            "party.us.will",
        ];
        assert_eq!(
            did_you_mean("deadline", keys),
            "; did you mean `simulation.deadline`?"
        );
        assert_eq!(
            did_you_mean("leverage", keys),
            "; did you mean `issue.security.leverage.us`?"
        );
        assert_eq!(
            did_you_mean("party.us.wil", keys),
            "; did you mean `party.us.will`?"
        );
        assert_eq!(did_you_mean("zzz", keys), "");
    }

    #[test]
    fn names_match_the_pattern() {
        for ok in ["japan", "a", "e3", "palestinian_state"] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "Japan", "3a", "_a", "a-b", "a.b", "..", "ä"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn domains_match_the_spec() {
        assert!(Domain::Unit.contains(1.0) && !Domain::Unit.contains(1.0001));
        assert!(Domain::NonNegative.contains(0.0) && !Domain::Positive.contains(0.0));
        assert!(!Domain::Real.contains(f64::NAN));
        assert!(Kind::SummitRate.is_state() && !Kind::WillVolatility.is_state());
    }
}
