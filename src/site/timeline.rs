//! How often a term came up over time: its episodes counted per year, or per month when
//! they span less than three calendar years (a short archive by year is one or two bars).
//! Every period between the first and the latest mention is listed, empty ones too, so a
//! chart of it reads as a time axis.

use super::Site;

/// A term's mentions over time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// `year` or `month`.
    pub unit: &'static str,
    /// Periods in order, oldest first: label (`2024` or `2024-03`) and episode count.
    pub periods: Vec<(String, usize)>,
    /// The oldest episode (index into `Site::episodes`).
    pub first: usize,
    /// The newest episode.
    pub latest: usize,
}

/// The timeline of a term's episodes (newest first, as terms keep them); `None` without any.
pub fn of(site: &Site, episodes: &[usize]) -> Option<Timeline> {
    let (&latest, &first) = (episodes.first()?, episodes.last()?);
    let ym = |e: usize| {
        let d = site.episodes[e].digest.date.zoned.date();
        (i32::from(d.year()), i32::from(d.month()))
    };
    let (y0, m0) = ym(first);
    let (y1, m1) = ym(latest);
    let by_year = y1 - y0 >= 2;
    let index = |(y, m): (i32, i32)| -> usize {
        let i = if by_year {
            y - y0
        } else {
            (y - y0) * 12 + (m - m0)
        };
        usize::try_from(i).unwrap_or(0)
    };
    let n = index((y1, m1)) + 1;
    let mut counts = vec![0usize; n];
    for &e in episodes {
        // Episodes are newest first, so every index is within 0..n.
        if let Some(c) = counts.get_mut(index(ym(e))) {
            *c += 1;
        }
    }
    let periods = counts
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let i = i as i32;
            let label = if by_year {
                format!("{}", y0 + i)
            } else {
                let months = (m0 - 1) + i;
                format!("{}-{:02}", y0 + months / 12, months % 12 + 1)
            };
            (label, c)
        })
        .collect();
    Some(Timeline {
        unit: if by_year { "year" } else { "month" },
        periods,
        first,
        latest,
    })
}
