//! Episode dates: `YYYY-MM-DD` or RFC 3339, kept with their offset so feeds can print them with
//! a time zone (RFC 3339 and RFC 822) and pages can print the date the author meant.

use jiff::civil::{Date, Time};
use jiff::fmt::temporal::{Pieces, PiecesOffset};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ZonedDateTime};

/// A parsed episode date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpisodeDate {
    /// The instant, in the author's offset (UTC for date-only values).
    pub zoned: ZonedDateTime,
    /// Whether the source gave a time of day.
    pub has_time: bool,
}

/// As the parsed-digest cache keeps it (`load::kept`): the instant, the offset and whether
/// a time was given, from which the same value is made again (a date alone is at midnight
/// UTC; a time keeps its fixed offset, as [`EpisodeDate::parse`] makes them).
#[derive(serde::Serialize, serde::Deserialize)]
struct KeptDate(i64, i32, i32, bool);

impl serde::Serialize for EpisodeDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ts = self.zoned.timestamp();
        KeptDate(
            ts.as_second(),
            ts.subsec_nanosecond(),
            self.zoned.offset().seconds(),
            self.has_time,
        )
        .serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for EpisodeDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let KeptDate(secs, nanos, offset, has_time) = KeptDate::deserialize(d)?;
        let ts = Timestamp::new(secs, nanos).map_err(D::Error::custom)?;
        let tz = if has_time {
            TimeZone::fixed(Offset::from_seconds(offset).map_err(D::Error::custom)?)
        } else {
            TimeZone::UTC
        };
        Ok(EpisodeDate {
            zoned: ts.to_zoned_datetime(tz),
            has_time,
        })
    }
}

impl EpisodeDate {
    /// Parses `YYYY-MM-DD` or an RFC 3339 timestamp with `Z` or a numeric offset.
    pub fn parse(input: &str) -> Result<EpisodeDate, String> {
        let s = input.trim();
        if s.len() == 10 {
            let date: Date = s.parse().map_err(|e| clean(e, s))?;
            let zoned = date
                .to_datetime(Time::midnight())
                .to_zoned_datetime(TimeZone::UTC)
                .map_err(|e| clean(e, s))?;
            return Ok(EpisodeDate {
                zoned,
                has_time: false,
            });
        }
        let pieces = Pieces::parse(s).map_err(|e| clean(e, s))?;
        let time = pieces
            .time()
            .ok_or_else(|| format!("`{s}` has no time of day"))?;
        let offset = match pieces.offset() {
            Some(PiecesOffset::Zulu) => Offset::UTC,
            Some(PiecesOffset::Numeric(n)) => n.offset(),
            Some(_) | None => {
                return Err(format!(
                    "`{s}` has no time zone offset (add `Z` or `+02:00`)"
                ));
            }
        };
        let zoned = pieces
            .date()
            .to_datetime(time)
            .to_zoned_datetime(TimeZone::fixed(offset))
            .map_err(|e| clean(e, s))?;
        Ok(EpisodeDate {
            zoned,
            has_time: true,
        })
    }

    /// The calendar date as the author wrote it.
    pub fn date(&self) -> Date {
        self.zoned.date()
    }

    /// `2025-10-30`.
    pub fn ymd(&self) -> String {
        // Every card and list line asks for this; plain integer formatting is several times
        // cheaper than `strftime` and gives the same text for four-digit years.
        let d = self.zoned.date();
        if (0..=9999).contains(&d.year()) {
            // Digit by digit: `format!` with padding cost ~1,400 instructions a date.
            let digits = |s: &mut String, n: i16, width: u32| {
                for p in (0..width).rev() {
                    let digit = (n / 10i16.pow(p)) % 10;
                    s.push(char::from(b'0' + digit.unsigned_abs() as u8));
                }
            };
            let mut s = String::with_capacity(10);
            digits(&mut s, d.year(), 4);
            s.push('-');
            digits(&mut s, i16::from(d.month()), 2);
            s.push('-');
            digits(&mut s, i16::from(d.day()), 2);
            s
        } else {
            self.zoned.strftime("%Y-%m-%d").to_string()
        }
    }

    /// RFC 3339 with offset: `2025-10-30T00:00:00+00:00`.
    pub fn rfc3339(&self) -> String {
        self.zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }

    /// RFC 822 / RFC 2822 with a four-digit year and numeric zone.
    pub fn rfc822(&self) -> String {
        self.zoned.strftime("%a, %d %b %Y %H:%M:%S %z").to_string()
    }

    /// Year, month and day as written (in the date's own zone), for a date in words
    /// (`i18n::Words::date`).
    pub fn parts(&self) -> (i16, i8, i8) {
        let d = self.zoned.date();
        (d.year(), d.month(), d.day())
    }

    /// The instant, for ordering.
    pub fn timestamp(&self) -> Timestamp {
        self.zoned.timestamp()
    }
}

fn clean(e: impl std::fmt::Display, s: &str) -> String {
    format!("`{s}` is not a valid date: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_only_is_midnight_utc() {
        let d = EpisodeDate::parse("2025-10-30").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.rfc3339(), "2025-10-30T00:00:00+00:00");
        assert_eq!(d.rfc822(), "Thu, 30 Oct 2025 00:00:00 +0000");
        assert_eq!(d.parts(), (2025, 10, 30));
        assert!(!d.has_time);
    }

    #[test]
    fn rfc3339_keeps_offset_and_local_date() {
        let d = EpisodeDate::parse("2025-10-30T23:30:00-05:00").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(d.ymd(), "2025-10-30");
        assert_eq!(d.rfc3339(), "2025-10-30T23:30:00-05:00");
        assert_eq!(d.rfc822(), "Thu, 30 Oct 2025 23:30:00 -0500");
        let z = EpisodeDate::parse("2025-10-30T10:00:00Z").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(z.rfc3339(), "2025-10-30T10:00:00+00:00");
    }

    #[test]
    fn ymd_matches_strftime() {
        for input in [
            "0001-01-01",
            "0999-12-31",
            "2025-03-04",
            "2025-10-30T23:30:00-05:00",
            "9999-12-30",
        ] {
            let d = EpisodeDate::parse(input).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(d.ymd(), d.zoned.strftime("%Y-%m-%d").to_string(), "{input}");
        }
    }

    #[test]
    fn impossible_and_malformed_dates_are_errors() {
        for bad in [
            "2025-02-30",
            "2025-13-01",
            "30/10/2025",
            "2025-10-30T10:00:00",
            "soon",
            "",
        ] {
            assert!(EpisodeDate::parse(bad).is_err(), "{bad}");
        }
    }
}
