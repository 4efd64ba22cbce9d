//! `tarjotin generate`: synthetic Finnish catalogues of any size for
//! benchmarks, written as the same schema.org JSON-LD Lines that
//! `tarjotin import` reads. Deterministic for a seed; streamed, so a million
//! instances never sit in memory at once.

mod courses;
mod guidance;
mod instances;
mod places;
mod providers;
mod quals;
mod rng;
mod vocab;

use std::io::{self, Write};

use self::rng::{Rng, Table};

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// So many courses (each with one or more instances).
    Courses(u64),
    /// Courses until there are exactly so many instances.
    Instances(u64),
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub organisations: u64,
    pub courses: u64,
    pub instances: u64,
    pub services: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} organisations, {} courses with {} instances, {} guidance services",
            self.organisations, self.courses, self.instances, self.services
        )
    }
}

/// Instances per course: mostly one or two, a few with many.
const INSTANCES_PER_COURSE: &[(u64, u32)] =
    &[(1, 45), (2, 25), (3, 15), (4, 8), (5, 3), (6, 2), (8, 2)];
const MEAN_INSTANCES: f64 = 2.15;

/// How many providers a catalogue of `courses` has: dozens for a region,
/// thousands for the whole country.
fn provider_count(courses: f64) -> usize {
    (3.0 * courses.sqrt()).clamp(20.0, 5000.0) as usize
}

fn line(out: &mut dyn Write, value: &serde_json::Value) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Writes a catalogue of `size` for `seed` to `out`: organisations first,
/// then courses, then guidance services.
pub fn generate(size: Size, seed: u64, out: &mut dyn Write) -> io::Result<Summary> {
    let root = Rng::new(seed);
    let expected_courses = match size {
        Size::Courses(n) => n as f64,
        Size::Instances(n) => n as f64 / MEAN_INSTANCES,
    };
    let providers = providers::providers(provider_count(expected_courses), &root);
    let mut summary = Summary::default();
    for office in providers::employment_office_lines() {
        line(out, &office)?;
        summary.organisations += 1;
    }
    for p in &providers {
        line(out, &providers::provider_line(p))?;
        summary.organisations += 1;
    }
    let table = Table::new(providers.iter().map(|p| p.weight));
    let mut numbers = vec![0usize; providers.len()];
    loop {
        let left = match size {
            Size::Courses(n) if summary.courses >= n => break,
            Size::Instances(n) if summary.instances >= n => break,
            Size::Courses(_) => u64::MAX,
            Size::Instances(n) => n - summary.instances,
        };
        let mut r = root.fork(summary.courses);
        let p = table.draw(&mut r);
        numbers[p] += 1;
        let count = (*r.weighted(INSTANCES_PER_COURSE)).min(left);
        line(
            out,
            &courses::course_line(&providers[p], numbers[p], count as usize, &mut r),
        )?;
        summary.courses += 1;
        summary.instances += count;
    }
    for (i, p) in providers.iter().enumerate() {
        let mut r = root.fork(2_000_000_000 + i as u64);
        if guidance::offers_guidance(p) && r.chance(0.5) {
            line(out, &guidance::service_line(p, &mut r))?;
            summary.services += 1;
        }
    }
    out.flush()?;
    Ok(summary)
}

#[cfg(test)]
mod tests;
