//! `latency.hlog` and `service.hlog`: HdrHistogram interval logs with one tag
//! per path x server x back end x command (`cas.cas1.mbx2.FETCH_BODY`). The
//! tag is spelt here once, for the writer, `merge` and the verdict's window
//! rows, which match tags against rows rather than parse them: a server name
//! may itself contain dots, so a tag cannot be split back unambiguously.

pub mod read;
pub mod whole;
pub mod write;

/// The tag of a row: `path.server.backend.command`.
pub fn tag(path: &str, server: &str, backend: &str, command: &str) -> String {
    format!("{path}.{server}.{backend}.{command}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn tags_are_dotted_in_design_order() {
        assert_eq!(
            super::tag("cas", "cas1", "mbx2", "FETCH"),
            "cas.cas1.mbx2.FETCH"
        );
    }
}
