//! `[[event]]` entries: reading them, merging a child's into its parent's field by field, and
//! validating them into [`Event`]s (SPEC §3 "Events").
//!
//! Validation stays linear in the number of events: names resolve through one hash map, and
//! the `requires` graph is checked for cycles by one depth-first walk.

use super::layer::{Layer, Located, Origin, Raw, Reader};
use super::validate::{spec, string};
use super::{Effect, Event, Simulation, format_1_hint, invalid};
use crate::cast::{Cast, Role, did_you_mean};
use crate::error::Result;
use crate::month::Month;
use std::collections::HashMap;
use toml::Spanned;
use toml::de::DeValue;

/// Keys of an `[[event]]` entry.
pub const EVENT_KEYS: [&str; 9] = [
    "name",
    "month",
    "until",
    "probability",
    "hazard",
    "effects",
    "leader_exit",
    "requires",
    "excludes",
];

/// An `[[event]]` entry as written.
#[derive(Clone, Debug, PartialEq)]
pub struct RawEvent {
    /// Where the entry starts.
    pub origin: Origin,
    /// `name`.
    pub name: Option<Located<Raw>>,
    /// `month`.
    pub month: Option<Located<Raw>>,
    /// `until`.
    pub until: Option<Located<Raw>>,
    /// `probability`.
    pub probability: Option<Located<Raw>>,
    /// `hazard`.
    pub hazard: Option<Located<Raw>>,
    /// `effects`: full parameter key and shift, in file order.
    pub effects: Vec<(String, Located<Raw>)>,
    /// `leader_exit`: the signatories whose leaders leave when it fires.
    pub leader_exit: Option<Located<Raw>>,
    /// `requires`: events that must have fired before it.
    pub requires: Option<Located<Raw>>,
    /// `excludes`: events none of which may have fired before it.
    pub excludes: Option<Located<Raw>>,
}

impl RawEvent {
    /// An entry starting at `origin` with no fields.
    pub fn new(origin: Origin) -> RawEvent {
        RawEvent {
            origin,
            name: None,
            month: None,
            until: None,
            probability: None,
            hazard: None,
            effects: Vec::new(),
            leader_exit: None,
            requires: None,
            excludes: None,
        }
    }

    /// The event's name when it is a string.
    pub fn name_str(&self) -> Option<&str> {
        match &self.name {
            Some(Located {
                value: Raw::Str(s), ..
            }) => Some(s),
            _ => None,
        }
    }

    /// Writes `probability` (`hazard` false) or `hazard`: the other kind is dropped, so that
    /// a child (or a `--set`) turns a hazard event into a dated one or the reverse.
    pub fn set_chance(&mut self, hazard: bool, value: Located<Raw>) {
        if hazard {
            self.hazard = Some(value);
            self.probability = None;
        } else {
            self.probability = Some(value);
            self.hazard = None;
        }
    }

    /// Lays a child's entry of the same name over this one: the fields the child writes
    /// replace these, `effects` merge key by key (a shift the child gives for a key replaces
    /// the parent's in place, new keys are appended), the lists are replaced whole, and a
    /// `probability` replaces a `hazard` (or the reverse) unless the child writes both.
    fn overlay(&mut self, child: RawEvent) {
        let both = child.probability.is_some() && child.hazard.is_some();
        for (mine, theirs) in [
            (&mut self.month, child.month),
            (&mut self.until, child.until),
            (&mut self.leader_exit, child.leader_exit),
            (&mut self.requires, child.requires),
            (&mut self.excludes, child.excludes),
        ] {
            if theirs.is_some() {
                *mine = theirs;
            }
        }
        if both {
            self.probability = child.probability;
            self.hazard = child.hazard;
        } else if let Some(p) = child.probability {
            self.set_chance(false, p);
        } else if let Some(h) = child.hazard {
            self.set_chance(true, h);
        }
        let mut at: HashMap<String, usize> = self
            .effects
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.clone(), i))
            .collect();
        for (key, shift) in child.effects {
            match at.get(&key) {
                Some(&i) => self.effects[i].1 = shift,
                None => {
                    at.insert(key.clone(), self.effects.len());
                    self.effects.push((key, shift));
                }
            }
        }
        self.origin = child.origin;
    }
}

/// Lays a child's events over its parent's: one with the same name as a parent's is merged
/// into it ([`RawEvent::overlay`]) and keeps its place; other events are appended in the
/// child's order. Linear in the number of events.
pub fn overlay(events: &mut Vec<RawEvent>, child: Vec<RawEvent>) {
    // The first event of a name is the one merged into, as before.
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        if let Some(name) = e.name_str() {
            by_name.entry(name.to_string()).or_insert(i);
        }
    }
    for event in child {
        let name = event.name_str().map(str::to_string);
        match name.as_ref().and_then(|n| by_name.get(n)) {
            Some(&i) => events[i].overlay(event),
            None => {
                if let Some(name) = name {
                    by_name.insert(name, events.len());
                }
                events.push(event);
            }
        }
    }
}

impl Reader<'_> {
    /// An event's `effects` table, flattened: `{ "party.russia.will" = -0.1 }` and the dotted
    /// form `{ party.russia.will = -0.1 }` (nested tables) give the same key.
    fn effects(
        &self,
        prefix: &str,
        value: &Spanned<DeValue<'_>>,
        out: &mut Vec<(String, Located<Raw>)>,
    ) {
        match value.get_ref() {
            DeValue::Table(table) => {
                let mut entries: Vec<_> = table.iter().collect();
                entries.sort_by_key(|(k, _)| k.span().start);
                for (key, v) in entries {
                    let full = if prefix.is_empty() {
                        key.get_ref().to_string()
                    } else {
                        format!("{prefix}.{}", key.get_ref())
                    };
                    self.effects(&full, v, out);
                }
            }
            _ => out.push((prefix.to_string(), self.located(value))),
        }
    }

    /// The `[[event]]` array.
    pub(super) fn events(&self, value: &Spanned<DeValue<'_>>, layer: &mut Layer) -> Result<()> {
        let DeValue::Array(entries) = value.get_ref() else {
            return Err(self.error(
                value.span().start,
                "event",
                "must be an array of tables written [[event]]",
            ));
        };
        for entry in entries.iter() {
            let table = self.table(entry, "event")?;
            let mut event = RawEvent::new(self.origin(entry.span().start));
            let mut fields: Vec<_> = table.iter().collect();
            fields.sort_by_key(|(k, _)| k.span().start);
            for (key, v) in fields {
                let slot = match key.get_ref().as_ref() {
                    "name" => &mut event.name,
                    "month" => &mut event.month,
                    "until" => &mut event.until,
                    "probability" => &mut event.probability,
                    "hazard" => &mut event.hazard,
                    "leader_exit" => &mut event.leader_exit,
                    "requires" => &mut event.requires,
                    "excludes" => &mut event.excludes,
                    "effects" => {
                        self.table(v, "event.effects")?;
                        self.effects("", v, &mut event.effects);
                        continue;
                    }
                    other => {
                        return Err(self.unknown(
                            key.span().start,
                            &format!("event.{other}"),
                            other,
                            &EVENT_KEYS,
                        ));
                    }
                };
                *slot = Some(self.located(v));
            }
            layer.events.push(event);
        }
        Ok(())
    }
}

/// The error for an event whose `until` is before its `month`, blamed on the one written last
/// when that is known: a `--set` of `month` past a file's `until` names the `--set`, not the
/// file; otherwise `until`, adding where `month` came from when another file (a parent or a
/// child of an `extends` chain) wrote it.
fn window_reversed(
    key: &impl Fn(&str) -> String,
    name: &str,
    (month_at, first): (&Located<Raw>, Month),
    (until_at, last): (&Located<Raw>, Month),
) -> crate::error::Error {
    let accepted =
        "accepted: a month not after until (the window is month through until, inclusive)";
    match (&month_at.origin, &until_at.origin) {
        (Origin::Set(_), until) if !matches!(until, Origin::Set(_)) => invalid(
            &month_at.origin,
            &key("month"),
            format!(
                "{first} is after until {last} (written at {until}); {accepted}, or a later until with --set too, e.g. --set event.{name}.until={first}"
            ),
        ),
        (month, until) => {
            let elsewhere = match (month, until) {
                (Origin::File { path: a, .. }, Origin::File { path: b, .. }) => a != b,
                _ => month != until,
            };
            let from = if elsewhere {
                format!(" (written at {month})")
            } else {
                String::new()
            };
            invalid(
                until,
                &key("until"),
                format!(
                    "{last} is before month {first}{from}; accepted: a month not before month (the window is month through until, inclusive)"
                ),
            )
        }
    }
}

fn required<'a>(
    field: &'a Option<Located<Raw>>,
    origin: &Origin,
    key: &str,
    hint: &str,
) -> Result<&'a Located<Raw>> {
    field
        .as_ref()
        .ok_or_else(|| invalid(origin, key, format!("missing; {hint}")))
}

/// A month value.
fn month(at: &Located<Raw>, key: &str) -> Result<Month> {
    match &at.value {
        Raw::Str(s) => Month::parse(s).map_err(|m| invalid(&at.origin, key, m)),
        other => Err(invalid(
            &at.origin,
            key,
            format!("{other} is not a month; write a quoted string \"YYYY-MM\""),
        )),
    }
}

/// A chance in [0, 1].
fn chance(at: &Located<Raw>, key: &str, what: &str) -> Result<f64> {
    match at.value {
        Raw::Int(i) if (0..=1).contains(&i) => Ok(i as f64),
        Raw::Float(x) if (0.0..=1.0).contains(&x) => Ok(x),
        ref other => {
            // `probability = 30`: a percentage.
            let percent = match *other {
                Raw::Int(i) if (2..=100).contains(&i) => Some(i as f64),
                Raw::Float(x) if x > 1.0 && x <= 100.0 => Some(x),
                // `probability = "35%"`.
                Raw::Str(ref s) => {
                    crate::number::percentage(s).filter(|x| (0.0..=100.0).contains(x))
                }
                _ => None,
            };
            let hint = percent.map_or(String::new(), |x| {
                format!(
                    "; for {}% write {what} = {}",
                    crate::number::float(x),
                    crate::number::percent_as_fraction(x)
                )
            });
            Err(invalid(
                &at.origin,
                key,
                format!("{other} is not a {what}; accepted: a number in [0, 1]{hint}"),
            ))
        }
    }
}

/// The names an event's `requires` or `excludes` lists, as event indices.
fn references(
    at: &Located<Raw>,
    key: &str,
    own: &str,
    index: &HashMap<&str, usize>,
    names: &[&str],
) -> Result<Vec<usize>> {
    let field = key.rsplit('.').next().unwrap_or(key);
    let Raw::Strings(list) = &at.value else {
        return Err(invalid(
            &at.origin,
            key,
            format!(
                "{} is not a list of event names; write e.g. {field} = [\"{}\"]",
                at.value,
                names.iter().find(|n| **n != own).unwrap_or(&"other event")
            ),
        ));
    };
    let mut out = Vec::with_capacity(list.len());
    // A set, so that a long list is checked in linear time.
    let mut listed = std::collections::HashSet::new();
    for name in list {
        if name == own {
            return Err(invalid(
                &at.origin,
                key,
                format!(
                    "event \"{}\" names itself; {field} lists other events",
                    own.escape_debug()
                ),
            ));
        }
        let Some(&i) = index.get(name.as_str()) else {
            let others: Vec<&str> = names.iter().copied().filter(|n| *n != own).collect();
            return Err(invalid(
                &at.origin,
                key,
                format!(
                    "no event \"{}\"{}; accepted: the names of this scenario's other events ({})",
                    name.escape_debug(),
                    did_you_mean(name, others.iter().copied()),
                    if others.is_empty() {
                        "none".to_string()
                    } else {
                        others
                            .iter()
                            .map(|n| format!("\"{}\"", n.escape_debug()))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
            ));
        };
        if !listed.insert(i) {
            return Err(invalid(
                &at.origin,
                key,
                format!("\"{}\" is listed twice", name.escape_debug()),
            ));
        }
        out.push(i);
    }
    Ok(out)
}

/// Every event, validated, in declaration order.
pub(super) fn events(
    layer: &Layer,
    cast: &Cast,
    sim: &Simulation,
    warnings: &mut Vec<String>,
) -> Result<Vec<Event>> {
    // Names first (each checked for a repeat in constant time), so that `requires` and
    // `excludes` may name events declared after them.
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(layer.events.len());
    let mut names: Vec<&str> = Vec::with_capacity(layer.events.len());
    for raw in &layer.events {
        let name = required(
            &raw.name,
            &raw.origin,
            "event.name",
            "every [[event]] needs name = \"...\"",
        )?;
        let name_text = string(name, "event.name")?;
        if let Some(&earlier) = index.get(name_text) {
            // Two events of one name: say where the first is, so that one can be renamed.
            let first = layer.events[earlier]
                .name
                .as_ref()
                .map_or_else(String::new, |n| format!(" (at {})", n.origin));
            return Err(invalid(
                &name.origin,
                "event.name",
                format!(
                    "\"{}\" is already the name of an earlier event{first}; accepted: a name \
                     used by one event only (--set, sweep and samples.csv name events by it): \
                     rename one of them",
                    name_text.escape_debug()
                ),
            ));
        }
        // Two names that print alike must be one name: no space at either end, no control,
        // invisible or text-reordering character (a trailing space, U+200B, U+202E).
        if name_text.trim().is_empty()
            || name_text.trim() != name_text
            || name_text.chars().any(unseen)
            || index.insert(name_text, names.len()).is_some()
        {
            return Err(invalid(
                &name.origin,
                "event.name",
                format!(
                    "\"{}\" must be a non-empty name without spaces at its ends and without \
                     control, invisible or text-reordering characters",
                    name_text.escape_debug()
                ),
            ));
        }
        names.push(name_text);
    }
    let state: Vec<&str> = cast.state_keys().collect();
    let signatories: Vec<&str> = cast
        .signatories()
        .map(|p| cast.parties[p].name.as_str())
        .collect();
    let mut out: Vec<Event> = Vec::with_capacity(layer.events.len());
    for (raw, &name_text) in layer.events.iter().zip(&names) {
        let key = |k: &str| format!("event \"{name_text}\".{k}");
        let month_at = required(
            &raw.month,
            &raw.origin,
            &key("month"),
            "write month = \"YYYY-MM\"",
        )?;
        let first = month(month_at, &key("month"))?;
        let until = match &raw.until {
            None => None,
            Some(at) => {
                let last = month(at, &key("until"))?;
                if last < first {
                    return Err(window_reversed(
                        &key,
                        name_text,
                        (month_at, first),
                        (at, last),
                    ));
                }
                Some(last)
            }
        };
        let (probability, hazard) = match (&raw.probability, &raw.hazard) {
            (Some(p), None) => (chance(p, &key("probability"), "probability")?, false),
            (None, Some(h)) => (chance(h, &key("hazard"), "hazard")?, true),
            (Some(_), Some(h)) => {
                return Err(invalid(
                    &h.origin,
                    &key("hazard"),
                    "probability and hazard are both given; accepted: one of them, probability (the chance it fires, once, in its month) or hazard (its chance in each month of its window)",
                ));
            }
            (None, None) => {
                return Err(invalid(
                    &raw.origin,
                    &key("probability"),
                    "missing; write probability = a number in [0, 1] (the chance it fires in its month), or hazard = a number in [0, 1] (its chance in each month of its window)",
                ));
            }
        };
        let mut effects: Vec<Effect> = Vec::with_capacity(raw.effects.len());
        let mut shifted = std::collections::HashSet::new();
        for (target, shift) in &raw.effects {
            let effect_key = key(&format!("effects.\"{target}\""));
            let param = cast
                .id(target)
                .filter(|id| cast.kind(*id).is_state())
                .ok_or_else(|| {
                    let what = if cast.id(target).is_some() {
                        format!("{target} is not a state parameter")
                    } else if let Some(hint) = format_1_hint(target) {
                        hint
                    } else {
                        format!("{target} is not a parameter of this scenario")
                    };
                    invalid(
                        &shift.origin,
                        &effect_key,
                        format!(
                            "{what}{}; events may shift: {}",
                            did_you_mean(target, state.iter().copied()),
                            state.join(", ")
                        ),
                    )
                })?;
            if !shifted.insert(param) {
                return Err(invalid(
                    &shift.origin,
                    &effect_key,
                    "this parameter is shifted twice by one event; give one shift",
                ));
            }
            let spec =
                spec(&shift.value, None).map_err(|m| invalid(&shift.origin, &effect_key, m))?;
            effects.push(Effect { param, shift: spec });
        }
        let mut leader_exit = Vec::new();
        let mut leaving = std::collections::HashSet::new();
        if let Some(at) = &raw.leader_exit {
            let Raw::Strings(list) = &at.value else {
                return Err(invalid(
                    &at.origin,
                    &key("leader_exit"),
                    format!(
                        "{} is not a list of signatories; write e.g. leader_exit = [\"{}\"]",
                        at.value, signatories[0]
                    ),
                ));
            };
            for party in list {
                let index = cast
                    .party(party)
                    .filter(|p| cast.parties[*p].role == Role::Signatory)
                    .ok_or_else(|| {
                        invalid(
                            &at.origin,
                            &key("leader_exit"),
                            format!(
                                "\"{}\" is not a signatory{}; accepted: {}",
                                party.escape_debug(),
                                did_you_mean(party, signatories.iter().copied()),
                                signatories.join(", ")
                            ),
                        )
                    })?;
                if !leaving.insert(index) {
                    return Err(invalid(
                        &at.origin,
                        &key("leader_exit"),
                        format!("{party} is listed twice"),
                    ));
                }
                leader_exit.push(index);
            }
        }
        let list = |field: &Option<Located<Raw>>, k: &str| -> Result<Vec<usize>> {
            field.as_ref().map_or(Ok(Vec::new()), |at| {
                references(at, &key(k), name_text, &index, &names)
            })
        };
        let requires = list(&raw.requires, "requires")?;
        let excludes = list(&raw.excludes, "excludes")?;
        if let (Some(&both), Some(at)) = (
            requires.iter().find(|r| excludes.contains(r)),
            &raw.excludes,
        ) {
            return Err(invalid(
                &at.origin,
                &key("excludes"),
                format!(
                    "\"{}\" is both required and excluded, so this event could never fire; accepted: each other event in at most one of requires and excludes",
                    names[both].escape_debug()
                ),
            ));
        }
        let event = Event {
            name: name_text.to_string(),
            month: first,
            until,
            probability,
            hazard,
            effects,
            leader_exit,
            requires,
            excludes,
        };
        if event.outside(sim) {
            let window = match until {
                Some(last) => format!("{first} to {last}"),
                None => format!("in {first}"),
            };
            warnings.push(format!(
                "{}: event \"{name_text}\" {window} is outside the simulated window {} to {} and never fires",
                raw.origin,
                sim.start,
                sim.start.plus(sim.months().saturating_sub(1))
            ));
        }
        out.push(event);
    }
    requires_cycle(&out, layer)?;
    unreachable_requirements(&out, layer, sim, warnings);
    Ok(out)
}

/// Warns about each event that requires another which cannot have fired by the event's last
/// month: one whose window lies outside the simulation, one that can fire only later, or in
/// that same month but declared after it (SPEC §3: "in an earlier month, or earlier in the same
/// month in declaration order"). Such an event never fires, which is rarely what its author
/// meant (a `requires` written backwards, or a window that ends too soon).
fn unreachable_requirements(
    events: &[Event],
    layer: &Layer,
    sim: &Simulation,
    warnings: &mut Vec<String>,
) {
    for (i, (event, raw)) in events.iter().zip(&layer.events).enumerate() {
        let end_of_event = event.window_end(sim);
        for &r in &event.requires {
            let required = &events[r];
            let why = if required.outside(sim) {
                "its window is outside the simulation".to_string()
            } else if required.month >= end_of_event {
                format!("it can fire no earlier than {}", required.month)
            } else if required.month.plus(1) == end_of_event && r > i {
                format!(
                    "it can fire no earlier than {}, and is declared after it",
                    required.month
                )
            } else {
                continue;
            };
            warnings.push(format!(
                "{}: event \"{}\" requires \"{}\", which cannot have fired by then ({why}), \
                 and \"{}\" can fire only before {end_of_event}: it never fires; check its \
                 requires, its window, or the order of the events",
                raw.origin,
                event.name.escape_debug(),
                required.name.escape_debug(),
                event.name.escape_debug(),
            ));
        }
    }
}

impl Event {
    /// The first month after its window: after `until`, or after its month; for a hazard
    /// without `until`, the deadline (it runs to the end of the simulation).
    fn window_end(&self, sim: &Simulation) -> Month {
        match self.until {
            Some(until) => until.plus(1),
            None if self.hazard => sim.deadline,
            None => self.month.plus(1),
        }
    }

    /// Whether its window lies wholly outside the simulation, so that it never fires.
    fn outside(&self, sim: &Simulation) -> bool {
        self.window_end(sim) <= sim.start || self.month >= sim.deadline
    }
}

/// A cycle of `requires` (its events could never fire), found by one iterative depth-first
/// walk: linear in events and references. A cycle of `excludes` is accepted (two events that
/// exclude each other are rivals: whichever comes first rules the other out).
fn requires_cycle(events: &[Event], layer: &Layer) -> Result<()> {
    const NEW: u8 = 0;
    const OPEN: u8 = 1;
    const DONE: u8 = 2;
    let mut mark = vec![NEW; events.len()];
    let mut path: Vec<(usize, usize)> = Vec::new();
    for root in 0..events.len() {
        if mark[root] != NEW {
            continue;
        }
        mark[root] = OPEN;
        path.push((root, 0));
        while let Some(&mut (node, ref mut next)) = path.last_mut() {
            let Some(&child) = events[node].requires.get(*next) else {
                mark[node] = DONE;
                path.pop();
                continue;
            };
            *next += 1;
            match mark[child] {
                NEW => {
                    mark[child] = OPEN;
                    path.push((child, 0));
                }
                OPEN => {
                    let from = path.iter().position(|(n, _)| *n == child).unwrap_or(0);
                    let mut cycle: Vec<String> = path[from..]
                        .iter()
                        .map(|(n, _)| format!("\"{}\"", events[*n].name.escape_debug()))
                        .collect();
                    cycle.push(format!("\"{}\"", events[child].name.escape_debug()));
                    let at = layer.events[node]
                        .requires
                        .as_ref()
                        .map_or(&layer.events[node].origin, |r| &r.origin);
                    return Err(invalid(
                        at,
                        &format!("event \"{}\".requires", events[node].name),
                        format!(
                            "a cycle of requires: {}; none of these events could ever fire. Accepted: requires that lead back to no event of the chain (to make rivals, use excludes)",
                            cycle.join(" requires ")
                        ),
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The month offset of an event's window in the simulation: its first and one past its last
/// month, relative to the start (clipped to `0..months`; empty when it lies outside).
pub fn window(event: &Event, sim: &Simulation) -> std::ops::Range<usize> {
    let months = sim.months() as i64;
    let first = sim.start.months_until(event.month);
    let end = match event.until {
        Some(until) => sim.start.months_until(until) + 1,
        None if event.hazard => months,
        None => first + 1,
    };
    let (a, b) = (first.clamp(0, months), end.clamp(0, months));
    (a as usize)..(b.max(a) as usize)
}

/// A control character, or one that prints as nothing or reorders the text around it: soft
/// hyphen, zero-width spaces and joiners, directional marks, embeddings, overrides and
/// isolates, word joiner and invisible operators, byte-order mark.
fn unseen(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use crate::scenario::Catalog;

    /// A scenario with `n` events, each requiring the one before it (and the first the last
    /// when `closed`).
    fn chain(n: usize, closed: bool) -> String {
        let mut text = String::from(
            "[simulation]\nstart = \"2020-01\"\ndeadline = \"2021-01\"\n[party.a]\nwill = 0.5\n[party.b]\nwill = 0.5\n[process]\nsummit_rate = 0.3\nwill_volatility = 0\nsigning_threshold = 0.3\ndecision_noise = 0.1\n",
        );
        for i in 0..n {
            let before = if i > 0 {
                i - 1
            } else if closed {
                n - 1
            } else {
                usize::MAX
            };
            text.push_str(&format!(
                "[[event]]\nname = \"e{i}\"\nmonth = \"2020-06\"\nhazard = 0.1\n"
            ));
            if before != usize::MAX {
                text.push_str(&format!("requires = [\"e{before}\"]\n"));
            }
        }
        text
    }

    /// A long chain of `requires` validates (the cycle check walks it without recursion, in
    /// one pass), and closing it into a ring is caught, naming the whole cycle.
    #[test]
    fn long_requires_chains_validate_and_rings_are_cycles() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let n = 20_000;
        std::fs::write(dir.path().join("open.toml"), chain(n, false)).expect("written");
        std::fs::write(dir.path().join("ring.toml"), chain(n, true)).expect("written");
        let catalog = Catalog::new(dir.path());
        let open = catalog.load("open", &[]).expect("a chain is valid");
        assert_eq!(open.events[n - 1].requires, [n - 2]);
        let err = catalog.load("ring", &[]).expect_err("a ring").to_string();
        assert!(
            err.contains("a cycle of requires: \"e0\" requires"),
            "{err}"
        );
        assert!(err.contains("\"e1\" requires \"e0\""), "{err}");
    }
}
