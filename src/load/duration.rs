//! Episode durations in the four forms a digest may use: `H:MM:SS`, `MM:SS`, plain seconds
//! and ISO 8601 (`PT1H12M30S`, parsed by jiff). See `docs/configuration.md`.

/// Parses a duration into whole seconds.
pub fn parse(input: &str) -> Result<u64, String> {
    let s = input.trim();
    let err = || {
        format!("`{s}` is not a duration: use H:MM:SS, MM:SS, seconds, or ISO 8601 like PT1H12M30S")
    };
    if s.is_empty() {
        return Err(err());
    }
    if s.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("PT")) {
        // Only the ISO form: jiff also reads friendly forms like `1h 5m`, which a digest may
        // not use.
        let d: jiff::SignedDuration = s.parse().map_err(|_| err())?;
        if d.is_negative() {
            return Err(err());
        }
        return Ok(d.as_secs_f64().round() as u64);
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().map_err(|_| err());
    }
    let parts: Vec<&str> = s.split(':').collect();
    let nums: Option<Vec<u64>> = parts
        .iter()
        .map(|p| {
            if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
                None
            } else {
                p.parse().ok()
            }
        })
        .collect();
    let nums = nums.ok_or_else(err)?;
    match nums.as_slice() {
        [m, sec] if *sec < 60 => Ok(m * 60 + sec),
        [h, m, sec] if *m < 60 && *sec < 60 => Ok(h * 3600 + m * 60 + sec),
        _ => Err(err()),
    }
}

/// `1:12:30` or `42:05`.
pub fn display(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// ISO 8601 for machine-readable markup: `PT1H12M30S`.
pub fn iso(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    format!("PT{h}H{m}M{s}S")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_forms() {
        assert_eq!(parse("1:12:30"), Ok(4350));
        assert_eq!(parse("72:30"), Ok(4350));
        assert_eq!(parse("4350"), Ok(4350));
        assert_eq!(parse("PT1H12M30S"), Ok(4350));
        assert_eq!(parse("PT45M"), Ok(2700));
        assert_eq!(parse("pt45m"), Ok(2700));
        assert_eq!(parse("PT1.5M"), Ok(90));
        assert_eq!(parse("PT90.6S"), Ok(91));
        assert_eq!(parse("PT2H"), Ok(7200));
    }

    #[test]
    fn rejects_nonsense() {
        for bad in [
            "", "1:60:00", "12:75", "PT", "PTxM", "1h", "-5", "1::2", "PT1H2",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn displays() {
        assert_eq!(display(4350), "1:12:30");
        assert_eq!(display(65), "1:05");
        assert_eq!(iso(4350), "PT1H12M30S");
    }
}
