//! What a sweep's outputs are, known below the command that runs it: the keys it may vary, the
//! points it may hold and the file it writes. The `sweep` command and the shard files that carry
//! a sweep's tallies both check against these.

use crate::error::{Error, Result};

/// Most points one `--param`, or the grid of two, may have: a sweep holds a model of every
/// point and runs every trial at each.
pub const MAX_POINTS: u64 = 1_000_000;

/// Checks that `key` names something a sweep can vary in `scenario`: one of its parameters,
/// or an event's probability (`event.NAME.probability`). `merge` checks a sweep shard's keys
/// with it too.
///
/// # Errors
/// Invalid input naming the key and what can be swept.
pub fn check_key(key: &str, scenario: &crate::scenario::Scenario) -> Result<()> {
    let is_event = key
        .strip_prefix("event.")
        .and_then(|k| k.strip_suffix(".probability"))
        .is_some_and(|name| scenario.events.iter().any(|e| e.name == name));
    if is_event || scenario.cast.id(key).is_some() {
        return Ok(());
    }
    let why = crate::scenario::format_1_hint(key)
        .unwrap_or_else(|| scenario.cast.resolve(key).err().unwrap_or_default());
    Err(Error::Invalid(format!(
        "--param {key}: {why}; an event's probability can be swept too, as event.NAME.probability"
    )))
}

/// Longest file name most file systems take, in bytes.
const MAX_FILE_NAME: usize = 255;

/// `name` with every character but ASCII letters, digits, `.`, `_` and `-` written `_`, so
/// that a shell takes the file name as one word unquoted (`event.peace talks.probability` →
/// `event.peace_talks.probability`). A name that had to change gets `-` and the first 8 hex
/// digits of the SHA-256 of the exact `keys` (joined by newlines) appended, so that two keys
/// that map alike (`a b`, `a_b`, `a'b`) never share a file. Keys that are already safe keep
/// their names (every parameter key is).
pub fn shell_safe(name: &str, keys: &[String]) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if name.chars().all(safe) {
        return name.to_string();
    }
    let mapped: String = name
        .chars()
        .map(|c| if safe(c) { c } else { '_' })
        .collect();
    let digest = crate::digest::sha256_hex(keys.join("\n").as_bytes());
    format!("{mapped}-{}", &digest[..8])
}

/// A sweep's output name, `sweep-KEY[-KEY2]` (its file is that `.csv`, its shards that
/// `-K-of-N.toml`), once the keys are known to make one file name inside the scenario's folder
/// (SPEC §7): an event's name may hold any character but a control one, and a `/` or `\` would
/// make a path of it. Checked before anything is simulated, and again for keys read from shard
/// files.
///
/// # Errors
/// [`Error::Invalid`] naming the key.
pub fn sweep_output(keys: &[String]) -> Result<String> {
    if let Some(key) = keys
        .iter()
        .find(|k| k.is_empty() || k.contains(['/', '\\']) || k.chars().any(char::is_control))
    {
        return Err(Error::Invalid(format!(
            "--param \"{}\": a sweep's file is named after its keys, and a file name cannot hold \
             '/', '\\' or a control character; rename the event",
            key.escape_debug()
        )));
    }
    let output = shell_safe(&format!("sweep-{}", keys.join("-")), keys);
    // The longest name written: a shard's, `-K-of-N.toml` with K and N up to 20 digits each.
    if output.len() + 50 > MAX_FILE_NAME {
        return Err(Error::Invalid(format!(
            "--param {}: a sweep's file is named after its keys, and these make a name of {} \
             bytes; file names hold at most {MAX_FILE_NAME}: sweep an event with a shorter name",
            keys.join(" --param "),
            output.len() + 4
        )));
    }
    Ok(output)
}
