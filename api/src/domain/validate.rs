//! The one set of rules every record obeys, whichever way it arrives (a
//! schema.org feed, a CSV sheet or a mutation). Paths use the schema.org
//! vocabulary of the feeds (`hasCourseInstance[0].endDate`); each input
//! format translates them to its own names. Drafts may be incomplete;
//! publishing needs the Finnish texts and a place for every instance.

use super::error_codes::*;
use super::records::*;
use super::text::{Lang, Localized};
use super::PublicationState;
use crate::codes::code_sets;

/// Longest name or title.
pub const MAX_NAME: usize = 300;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 20_000;
/// Longest id.
pub const MAX_ID: usize = 500;
/// Longest URL.
pub const MAX_URL: usize = 2000;
/// Longest short text (identifiers, addresses, keywords).
pub const MAX_SHORT: usize = 200;
/// The most instances one course may have.
pub const MAX_INSTANCES: usize = 200;
/// The most keywords one course may have.
pub const MAX_KEYWORDS: usize = 50;
/// The largest capacity that is not a typo.
pub const MAX_CAPACITY: i32 = 100_000;
/// The largest price in cents that is not a typo (a million euros).
pub const MAX_PRICE_CENTS: i64 = 100_000_000;
/// The most channels, hours or areas of a guidance service.
pub const MAX_ITEMS: usize = 100;
/// Enrolment periods of one instance.
pub const MAX_ENROLMENT_PERIODS: usize = 20;
/// Locations of one organisation.
pub const MAX_LOCATIONS: usize = 1000;

/// True for an http(s) URL with a host.
pub fn is_http_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
    })
}

/// True for something shaped like an e-mail address.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    text.chars().count() <= 320
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == ';')
        && !domain.contains('@')
}

/// True for a telephone number: digits, spaces, + - ( ), 5 to 20 digits.
pub fn is_phone(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let allowed = text
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()".contains(c));
    allowed && (5..=20).contains(&digits) && !text.get(1..).unwrap_or("").contains('+')
}

/// Checks ISO 8601 duration syntax: `P[nY][nM][nW][nD][T[nH][nM][nS]]`.
pub fn is_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    fn parts(text: &str, units: &str) -> Option<usize> {
        let mut count = 0;
        let mut number = String::new();
        let mut last_unit = 0;
        for c in text.chars() {
            if c.is_ascii_digit() || c == '.' || c == ',' {
                number.push(c);
            } else {
                let pos = units.find(c)? + 1;
                if number.is_empty() || pos <= last_unit {
                    return None;
                }
                last_unit = pos;
                number.clear();
                count += 1;
            }
        }
        number.is_empty().then_some(count)
    }
    let Some(date_parts) = parts(date, "YMWD") else {
        return false;
    };
    match time {
        Some(t) => parts(t, "HMS").is_some_and(|n| n > 0),
        None => date_parts > 0,
    }
}

/// The first character a stored text may not hold: a control character
/// other than tab, line feed and carriage return (U+0000 above all, which
/// PostgreSQL cannot store).
pub fn forbidden_character(text: &str) -> Option<char> {
    text.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The message for [`forbidden_character`].
pub fn forbidden_character_message(c: char) -> String {
    format!(
        "holds the control character U+{:04X}; texts may hold tabs and line breaks only",
        u32::from(c)
    )
}

/// `path.key`, or `key` at the top.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Collects errors.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn add(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(path, code, message));
    }

    /// A list of at most `max` items.
    fn count(&mut self, path: &str, n: usize, max: usize) {
        if n > max {
            self.add(path, TOO_MANY, format!("at most {max} items, got {n}"));
        }
    }

    fn id(&mut self, path: &str, id: &str, max: usize) {
        if id.trim().is_empty() {
            self.add(path, REQUIRED, "is required");
        } else {
            self.length(path, Some(id), max);
        }
    }

    fn length(&mut self, path: &str, text: Option<&str>, max: usize) {
        if let Some(c) = text.and_then(forbidden_character) {
            self.add(path, INVALID_CHARACTER, forbidden_character_message(c));
            return;
        }
        if let Some(n) = text.map(|t| t.chars().count()).filter(|n| *n > max) {
            self.add(path, TOO_LONG, format!("at most {max} characters, got {n}"));
        }
    }

    fn text(&mut self, path: &str, text: &Localized, max: usize) {
        for lang in Lang::ALL {
            self.length(&join(path, lang.code()), text.exact(lang), max);
        }
    }

    /// Publishing needs the text, in Finnish at least.
    fn finnish(&mut self, path: &str, text: &Localized, what: &str) {
        if text.is_empty() {
            self.add(path, REQUIRED, format!("a published {what} needs a {path}"));
        } else if text.fi.is_none() {
            self.add(
                join(path, "fi"),
                REQUIRED_LANGUAGE,
                format!("a published {what} needs its {path} in Finnish"),
            );
        }
    }

    fn url(&mut self, path: &str, url: Option<&str>) {
        let Some(url) = url else { return };
        if url.chars().count() > MAX_URL {
            self.length(path, Some(url), MAX_URL);
        } else if !is_http_url(url) {
            self.add(path, INVALID_URL, format!("{url:?} is not an http(s) URL"));
        }
    }

    fn email(&mut self, path: &str, email: Option<&str>) {
        if let Some(email) = email.filter(|e| !is_email(e)) {
            self.add(
                path,
                INVALID_EMAIL,
                format!("{email:?} is not an e-mail address"),
            );
        }
    }

    fn phone(&mut self, path: &str, phone: Option<&str>) {
        if let Some(phone) = phone.filter(|p| !is_phone(p)) {
            self.add(
                path,
                INVALID_PHONE,
                format!("{phone:?} is not a telephone number"),
            );
        }
    }

    fn languages(&mut self, path: &str, codes: &[String]) {
        for (i, code) in codes.iter().enumerate() {
            if code_sets().language(code).is_none() {
                self.add(
                    format!("{path}[{i}]"),
                    UNKNOWN_CODE,
                    format!(
                        "unknown language {code:?}; expected ISO 639-1 codes such as fi, sv, en"
                    ),
                );
            }
        }
    }

    fn municipality(&mut self, path: &str, code: Option<&str>) {
        if let Some(code) = code.filter(|c| code_sets().municipality(c).is_none()) {
            self.add(
                path,
                UNKNOWN_MUNICIPALITY,
                format!("unknown municipality code {code:?}"),
            );
        }
    }

    fn address(&mut self, path: &str, address: &Address) {
        self.length(
            &join(path, "address.streetAddress"),
            address.street_address.as_deref(),
            MAX_SHORT,
        );
        self.length(
            &join(path, "address.postalCode"),
            address.postal_code.as_deref(),
            20,
        );
        self.length(
            &join(path, "address.addressLocality"),
            address.locality.as_deref(),
            MAX_SHORT,
        );
        self.municipality(
            &join(path, "containedInPlace.identifier"),
            address.municipality_code.as_deref(),
        );
    }

    fn location(&mut self, path: &str, place: &LocationRecord) {
        self.id(&join(path, "@id"), &place.external_id, 700);
        self.text(&join(path, "name"), &place.name, MAX_NAME);
        self.address(path, &place.address);
        if place.address.municipality_code.is_none() {
            self.add(
                path,
                UNKNOWN_MUNICIPALITY,
                "a place needs a municipality: give its code, its locality or its postal code",
            );
        }
        if let Some(c) = place.coordinates {
            if !(-90.0..=90.0).contains(&c.latitude) || !(-180.0..=180.0).contains(&c.longitude) {
                self.add(
                    join(path, "geo"),
                    INVALID_COORDINATES,
                    "latitude must be within ±90 and longitude within ±180",
                );
            }
        }
    }
}

/// The problems of a location record, at `path`.
pub fn location(place: &LocationRecord, path: &str) -> Vec<FieldError> {
    let mut e = Errors::default();
    e.location(path, place);
    e.0
}

/// The problems of an organisation record.
pub fn organisation(record: &OrganisationRecord) -> Vec<FieldError> {
    let mut e = Errors::default();
    e.id("@id", &record.external_id, MAX_ID);
    e.length("identifier", record.identifier.as_deref(), MAX_SHORT);
    e.text("name", &record.name, MAX_NAME);
    e.finnish("name", &record.name, "organisation");
    e.text("description", &record.description, MAX_DESCRIPTION);
    e.url("url", record.url.as_deref());
    e.phone("telephone", record.phone.as_deref());
    e.email("email", record.email.as_deref());
    if let Some(address) = &record.address {
        e.address("address", address);
    }
    e.count("location", record.locations.len(), MAX_LOCATIONS);
    let mut seen = std::collections::HashSet::new();
    for (i, place) in record.locations.iter().enumerate() {
        let path = format!("location[{i}]");
        e.location(&path, place);
        if !seen.insert(place.external_id.as_str()) {
            e.add(
                path,
                DUPLICATE_ID,
                format!("two locations share the id {:?}", place.external_id),
            );
        }
    }
    e.0
}

fn instance(e: &mut Errors, path: &str, i: &InstanceRecord, publishing: bool) {
    e.id(&join(path, "@id"), &i.external_id, 600);
    if let Some(place) = &i.location {
        e.location(&join(path, "location"), place);
    } else {
        e.municipality(&join(path, "location"), i.municipality_code.as_deref());
    }
    e.url(&join(path, "location.url"), i.online_url.as_deref());
    e.count(&join(path, "courseMode"), i.modes.len(), MAX_ITEMS);
    e.count(&join(path, "inLanguage"), i.languages.len(), MAX_ITEMS);
    e.count(
        &join(path, "offers"),
        i.enrolment_periods.len(),
        MAX_ENROLMENT_PERIODS,
    );
    if let Some(schedule) = &i.schedule {
        e.count(
            &join(path, "courseSchedule.byDay"),
            schedule.weekdays.len(),
            MAX_ITEMS,
        );
    }
    e.languages(&join(path, "inLanguage"), &i.languages);
    if let (Some(s), Some(end)) = (i.start_date, i.end_date) {
        if end < s {
            e.add(
                join(path, "endDate"),
                END_BEFORE_START,
                format!("the end date {end} is before the start date {s}"),
            );
        }
    }
    if let Some(schedule) = &i.schedule {
        let at = join(path, "courseSchedule");
        if let (Some(s), Some(end)) = (schedule.start_time, schedule.end_time) {
            if end <= s {
                e.add(
                    join(&at, "endTime"),
                    INVALID_TIME,
                    format!("ends at {end} before it starts at {s}"),
                );
            }
        }
        if let Some(rep) = schedule.repeat.as_deref().filter(|r| !is_duration(r)) {
            e.add(
                join(&at, "repeatFrequency"),
                INVALID_DURATION,
                format!("{rep:?} is not an ISO 8601 duration"),
            );
        }
    }
    match i.price_cents {
        Some(p) if p < 0 => e.add(
            join(path, "offers.price"),
            NEGATIVE_PRICE,
            format!("the price {} is negative", p as f64 / 100.0),
        ),
        Some(p) if p > MAX_PRICE_CENTS => e.add(
            join(path, "offers.price"),
            OUT_OF_RANGE,
            format!("at most {} euros", MAX_PRICE_CENTS / 100),
        ),
        _ => {}
    }
    let single = i.enrolment_periods.len() == 1;
    for (j, period) in i.enrolment_periods.iter().enumerate() {
        let at = if single {
            join(path, "offers")
        } else {
            format!("{}[{j}]", join(path, "offers"))
        };
        if let (Some(s), Some(end)) = (period.starts, period.ends) {
            if end < s {
                e.add(
                    join(&at, "availabilityEnds"),
                    END_BEFORE_START,
                    format!("the enrolment period ends {end} before it starts {s}"),
                );
            }
        }
        if let (Some(s), Some(end)) = (period.starts, i.end_date) {
            if s > end {
                e.add(
                    join(&at, "availabilityStarts"),
                    ENROLMENT_AFTER_END,
                    format!("enrolment opens after the instance ends on {end}"),
                );
            }
        }
    }
    e.url(&join(path, "offers.url"), i.enrolment_url.as_deref());
    if let Some(c) = i.capacity.filter(|c| !(0..=MAX_CAPACITY).contains(c)) {
        e.add(
            join(path, "maximumAttendeeCapacity"),
            OUT_OF_RANGE,
            format!("a whole number from 0 to {MAX_CAPACITY}, got {c}"),
        );
    }
    if publishing && i.location.is_none() && i.municipality_code.is_none() && !i.online {
        e.add(
            join(path, "location"),
            REQUIRED,
            "a published instance needs a place or online teaching",
        );
    }
}

/// The problems of a course record; with state `published` it must be complete.
pub fn course(record: &CourseRecord) -> Vec<FieldError> {
    let mut e = Errors::default();
    let publishing = record.state == PublicationState::Published;
    e.id("@id", &record.external_id, MAX_ID);
    e.length("identifier", record.identifier.as_deref(), MAX_SHORT);
    if record.provider_external_id.trim().is_empty() {
        e.add("provider", REQUIRED, "a course needs a provider");
    }
    e.text("name", &record.name, MAX_NAME);
    e.text("description", &record.description, MAX_DESCRIPTION);
    e.text("educationalCredentialAwarded", &record.credential, MAX_NAME);
    if publishing {
        e.finnish("name", &record.name, "course");
        e.finnish("description", &record.description, "course");
    }
    e.url("url", record.url.as_deref());
    e.count("about", record.fields_of_education.len(), MAX_ITEMS);
    e.count("audience", record.audiences.len(), MAX_ITEMS);
    e.count("inLanguage", record.languages.len(), MAX_ITEMS);
    for (i, code) in record.fields_of_education.iter().enumerate() {
        if code_sets().field(code).is_none() {
            e.add(
                format!("about[{i}].termCode"),
                UNKNOWN_CODE,
                format!("unknown field of education {code:?} (Koulutusala 2016)"),
            );
        }
    }
    if let Some(c) = record
        .credits
        .filter(|c| c.value < 0.0 || !c.value.is_finite())
    {
        e.add(
            "numberOfCredits.value",
            OUT_OF_RANGE,
            format!("must not be negative, got {}", c.value),
        );
    }
    if let Some(d) = record.duration.as_deref().filter(|d| !is_duration(d)) {
        e.add(
            "timeRequired",
            INVALID_DURATION,
            format!("{d:?} is not an ISO 8601 duration such as PT24H or P3Y6M"),
        );
    }
    if record.keywords.len() > MAX_KEYWORDS {
        e.add(
            "keywords",
            TOO_MANY,
            format!(
                "at most {MAX_KEYWORDS} keywords, got {}",
                record.keywords.len()
            ),
        );
    }
    for (i, k) in record.keywords.iter().enumerate() {
        e.length(&format!("keywords[{i}]"), Some(k), MAX_SHORT);
    }
    e.languages("inLanguage", &record.languages);
    if let (Some(p), Some(a)) = (record.publish_at, record.archive_at) {
        if a <= p {
            e.add(
                "archiveAt",
                END_BEFORE_START,
                format!("archiveAt {a} is not after publishAt {p}"),
            );
        }
    }
    if record.instances.len() > MAX_INSTANCES {
        e.add(
            "hasCourseInstance",
            TOO_MANY,
            format!(
                "at most {MAX_INSTANCES} instances a course, got {}",
                record.instances.len()
            ),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for (i, inst) in record.instances.iter().enumerate() {
        let path = format!("hasCourseInstance[{i}]");
        instance(&mut e, &path, inst, publishing);
        if !seen.insert(inst.external_id.as_str()) {
            e.add(
                join(&path, "@id"),
                DUPLICATE_ID,
                format!("two instances share the id {:?}", inst.external_id),
            );
        }
    }
    e.0
}

/// The problems of a guidance service record; published ones must be complete.
pub fn guidance_service(record: &GuidanceServiceRecord) -> Vec<FieldError> {
    let mut e = Errors::default();
    e.id("@id", &record.external_id, MAX_ID);
    e.length("identifier", record.identifier.as_deref(), MAX_SHORT);
    e.length("serviceType", record.service_type.as_deref(), MAX_NAME);
    if record.provider_external_id.trim().is_empty() {
        e.add("provider", REQUIRED, "a service needs a provider");
    }
    e.text("name", &record.name, MAX_NAME);
    e.text("description", &record.description, MAX_DESCRIPTION);
    if record.state == PublicationState::Published {
        e.finnish("name", &record.name, "service");
    }
    for (list, n) in [
        ("availableChannel", record.channels.len()),
        ("hoursAvailable", record.opening_hours.len()),
        ("areaServed", record.area_served.len()),
        ("audience", record.audiences.len()),
    ] {
        if n > MAX_ITEMS {
            e.add(list, TOO_MANY, format!("at most {MAX_ITEMS}, got {n}"));
        }
    }
    for (i, c) in record.channels.iter().enumerate() {
        let path = format!("availableChannel[{i}]");
        e.phone(&join(&path, "servicePhone.telephone"), c.phone.as_deref());
        e.url(&join(&path, "serviceUrl"), c.url.as_deref());
        e.email(&join(&path, "serviceUrl"), c.email.as_deref());
        e.count(
            &join(&path, "availableLanguage"),
            c.languages.len(),
            MAX_ITEMS,
        );
        e.languages(&join(&path, "availableLanguage"), &c.languages);
        if let Some(place) = &c.location {
            e.location(&join(&path, "serviceLocation"), place);
        }
    }
    for (i, h) in record.opening_hours.iter().enumerate() {
        e.count(
            &format!("hoursAvailable[{i}].dayOfWeek"),
            h.weekdays.len(),
            MAX_ITEMS,
        );
        if h.closes <= h.opens {
            e.add(
                format!("hoursAvailable[{i}].closes"),
                INVALID_TIME,
                format!("closes at {} before it opens at {}", h.closes, h.opens),
            );
        }
    }
    for (i, code) in record.area_served.iter().enumerate() {
        e.municipality(&format!("areaServed[{i}]"), Some(code));
    }
    e.0
}

/// Checks a change of publication state: draft → published → archived, and
/// back to draft from either; staying put is no change.
pub fn transition(from: PublicationState, to: PublicationState) -> Result<(), FieldError> {
    use PublicationState::*;
    match (from, to) {
        (a, b) if a == b => Ok(()),
        (Draft, Published) | (Published, Archived) | (Published, Draft) | (Archived, Draft) => {
            Ok(())
        }
        (from, to) => Err(FieldError::new(
            "creativeWorkStatus",
            INVALID_TRANSITION,
            format!(
                "a course cannot go from {from} to {to}; the workflow is draft → published → archived, and back to draft"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_iso_8601() {
        for ok in ["PT24H", "P3Y6M", "P1W", "P2DT3H30M"] {
            assert!(is_duration(ok), "{ok}");
        }
        for bad in ["P", "PT", "24H", "P3M6Y", "PXD", "P1H"] {
            assert!(!is_duration(bad), "{bad}");
        }
    }

    #[test]
    fn urls_emails_and_phones_have_one_definition() {
        assert!(is_http_url("https://a.example.fi/x"));
        assert!(!is_http_url("javascript:alert(1)"));
        assert!(is_email("a@example.fi"));
        assert!(!is_email("not an email"));
        assert!(is_phone("+358 5 000 1100"));
        assert!(!is_phone("call me"));
        assert!(!is_phone("+358+5"));
    }
}
