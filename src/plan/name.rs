//! The scenario's name. It names the default results directory
//! (`results/NAME-TIME`), so it must be a name, not a path.

use std::path::Path;

use crate::error::InputError;

use super::scenario::RawScenario;
use super::span::Ctx;

/// Why `name` cannot name a results directory, if it cannot: the default
/// results path is `results/NAME-TIME`, so a name with a path separator or
/// `..` would write elsewhere, and control characters make a path nobody
/// can type.
fn name_problem(name: &str) -> Option<String> {
    let allowed = "a name is letters, digits, spaces and punctuation other than / and \\, \
                   not starting with a dot (e.g. \"capacity-ramp\")";
    if name.contains(['/', '\\']) || name.starts_with('.') {
        return Some(format!("`{name}` is a path; {allowed}"));
    }
    if name.chars().any(char::is_control) {
        return Some(format!("{name:?} has control characters; {allowed}"));
    }
    (name.len() > 100).then(|| format!("{} characters is too long (at most 100)", name.len()))
}

/// The scenario's name: `name`, checked to be a name and not a path, or the
/// file's stem.
pub(super) fn scenario_name(
    ctx: &Ctx,
    raw: &RawScenario,
    origin: &Path,
) -> Result<String, InputError> {
    Ok(match &raw.name {
        Some(n) if n.get_ref().trim().is_empty() => {
            return Err(ctx.at(n.span(), "name", "empty; give a name or leave the key out"))
        }
        Some(n) => match name_problem(n.get_ref()) {
            Some(why) => return Err(ctx.at(n.span(), "name", why)),
            None => n.get_ref().clone(),
        },
        None => origin.file_stem().map_or_else(
            || "scenario".to_string(),
            |s| s.to_string_lossy().into_owned(),
        ),
    })
}
