//! What imap-check found: one [`Finding`] per check, each with a
//! [`Status`] and, where something can be done about it, advice.

use std::fmt;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Works as it should.
    Ok,
    /// Works, but something is weak, missing or about to break.
    Warn,
    /// Not checked, and why (e.g. extensions that only the list after
    /// login would show).
    Note,
    /// Broken, or unsafe: the tool exits non-zero.
    Fail,
}

impl Status {
    /// The label printed at the start of a line.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Warn => "WARN",
            Self::Note => "NOTE",
            Self::Fail => "FAIL",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.label())
    }
}

/// One result of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// How it came out.
    pub status: Status,
    /// What was checked, with the port it concerns: `"993 certificate"`,
    /// `"143 capabilities before TLS"`, `"login"`.
    pub topic: String,
    /// What was found.
    pub message: String,
    /// What to do about it.
    pub advice: Option<String>,
}

impl Finding {
    /// A finding without advice.
    pub fn new(status: Status, topic: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            topic: topic.into(),
            message: message.into(),
            advice: None,
        }
    }

    /// The same finding with advice.
    #[must_use]
    pub fn advice(mut self, advice: impl Into<String>) -> Self {
        self.advice = Some(advice.into());
        self
    }
}

impl fmt::Display for Finding {
    /// `STATUS  topic: message -> advice`, on one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<4}  {}: {}", self.status, self.topic, self.message)?;
        if let Some(advice) = &self.advice {
            write!(f, " -> {advice}")?;
        }
        Ok(())
    }
}

/// Every finding of one run, in the order the checks ran.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    findings: Vec<Finding>,
}

impl Report {
    /// Adds a finding.
    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// The findings, in order.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Whether any check failed (the tool then exits non-zero).
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.status == Status::Fail)
    }

    /// How many findings have `status`.
    pub fn count(&self, status: Status) -> usize {
        self.findings.iter().filter(|f| f.status == status).count()
    }

    /// The findings whose topic contains `topic`.
    pub fn about<'a>(&'a self, topic: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings
            .iter()
            .filter(move |f| f.topic.contains(topic))
    }
}

impl fmt::Display for Report {
    /// One line per finding, then `ok: N, warn: N, fail: N`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for finding in &self.findings {
            writeln!(f, "{finding}")?;
        }
        write!(
            f,
            "ok: {}, warn: {}, fail: {}",
            self.count(Status::Ok),
            self.count(Status::Warn),
            self.count(Status::Fail)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_summary() {
        let mut r = Report::default();
        r.push(Finding::new(Status::Ok, "993 tcp", "connected"));
        r.push(
            Finding::new(Status::Fail, "993 certificate", "expired")
                .advice("renew the certificate"),
        );
        assert!(r.failed());
        assert_eq!(
            r.to_string(),
            "OK    993 tcp: connected\n\
             FAIL  993 certificate: expired -> renew the certificate\n\
             ok: 1, warn: 0, fail: 1"
        );
        assert_eq!(r.about("certificate").count(), 1);
    }
}
