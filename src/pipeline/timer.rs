//! Stage timings for profiling: with `CASTDOWN_TIMINGS` set, each build order prints how
//! long each stage took, the CPU time it used and the memory held after it.

use std::time::Instant;

/// Prints how long each stage took when `CASTDOWN_TIMINGS` is set (for profiling).
pub(super) struct Timer {
    on: bool,
    last: Instant,
    cpu: u64,
}

impl Timer {
    pub(super) fn new() -> Timer {
        Timer {
            on: std::env::var_os("CASTDOWN_TIMINGS").is_some(),
            last: Instant::now(),
            cpu: 0,
        }
    }

    pub(super) fn stage(&mut self, name: &str) {
        if self.on {
            // Resident and peak memory so far (Linux only), to see which stage holds the most.
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let field = |key: &str| {
                status
                    .lines()
                    .find_map(|l| l.strip_prefix(key))
                    .map(|v| v.trim().to_string())
                    .unwrap_or_default()
            };
            // CPU time of the process (user + system, in clock ticks of 10 ms), to see how
            // well each stage uses the cores.
            let cpu = std::fs::read_to_string("/proc/self/stat")
                .ok()
                .and_then(|s| {
                    let after = s.rsplit_once(')')?.1;
                    let f: Vec<&str> = after.split_whitespace().collect();
                    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
                })
                .unwrap_or(0);
            eprintln!(
                "  {name:<14} {:>7.1} ms   cpu {:>6} ms   rss {:>10}   peak {:>10}",
                self.last.elapsed().as_secs_f64() * 1000.0,
                (cpu - self.cpu) * 10,
                field("VmRSS:"),
                field("VmHWM:"),
            );
            self.cpu = cpu;
        }
        self.last = Instant::now();
    }

    /// Prints a figure of the stage just timed (how much of it was reused).
    pub(super) fn note(&self, what: &str) {
        if self.on {
            eprintln!("  {what}");
        }
    }
}
