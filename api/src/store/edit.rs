//! Changes to part of a course (some instances, its state, the fields a
//! mutation leaves out) as a read of the whole record, the change, and the
//! one upsert every write goes through. A concurrent write in between makes
//! the upsert stale; without a client's `expectedVersion` it is retried.

use chrono::{DateTime, Utc};

use super::write::{check_version, id_out_of_scope, invalid, out_of_scope};
use super::{Outcome, Store, StoreError, WriteError, WriteOptions};
use crate::domain::error_codes::*;
use crate::domain::{Actor, CourseRecord, InstanceRecord, PublicationState, Scope};

/// How often a read-change-write is tried before a concurrent writer wins.
const ATTEMPTS: usize = 3;

/// What of the stored course an upsert keeps when the input leaves it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Keep {
    /// Keep the stored instances (the input has no `instances`).
    pub instances: bool,
    /// Keep the stored state (the input has no `state`); new courses are drafts.
    pub state: bool,
}

/// What the scheduler did at one moment.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ScheduleReport {
    pub published: Vec<String>,
    pub archived: Vec<String>,
    /// Courses due for publication that are not complete, with the reason.
    pub incomplete: Vec<(String, String)>,
}

impl Store {
    /// Upserts a course, keeping what `keep` says from the stored one.
    pub async fn upsert_course_keeping(
        &self,
        record: &CourseRecord,
        keep: Keep,
        options: &WriteOptions,
    ) -> Result<(Outcome, i32), WriteError> {
        if keep == Keep::default() {
            return self.put_course(record, options).await;
        }
        for attempt in 1..=ATTEMPTS {
            let stored = match self.course_by_external_id(&record.external_id).await? {
                Some(row) => self.course_record(row.id).await?,
                None => None,
            };
            let mut merged = record.clone();
            let mut read_version = None;
            if let Some((row, old)) = stored {
                if !options.scope.covers(row.provider_id) {
                    return Err(id_out_of_scope("@id", "course", &row.external_id));
                }
                if keep.instances {
                    merged.instances = old.instances;
                }
                if keep.state {
                    merged.state = old.state;
                }
                read_version = Some(row.version);
            } else if keep.state {
                merged.state = PublicationState::Draft;
            }
            match self
                .retryable(&merged, options, read_version, attempt)
                .await
            {
                Some(result) => return result,
                None => continue,
            }
        }
        unreachable!("the last attempt returns")
    }

    /// One attempt: None when a concurrent writer got in between and another try may follow.
    async fn retryable(
        &self,
        record: &CourseRecord,
        options: &WriteOptions,
        read_version: Option<i32>,
        attempt: usize,
    ) -> Option<Result<(Outcome, i32), WriteError>> {
        let expected = options.expected_version.or(read_version);
        let result = self.put_course(record, &options.expecting(expected)).await;
        match &result {
            Err(e)
                if e.code() == Some(STALE_VERSION)
                    && options.expected_version.is_none()
                    && attempt < ATTEMPTS =>
            {
                None
            }
            _ => Some(result),
        }
    }

    /// Reads course `id`, applies `change`, writes it back.
    async fn edit_course(
        &self,
        id: i32,
        options: &WriteOptions,
        change: impl Fn(&mut CourseRecord) -> Result<(), WriteError>,
    ) -> Result<(Outcome, i32), WriteError> {
        for attempt in 1..=ATTEMPTS {
            let Some((row, mut record)) = self.course_record(id).await? else {
                return Err(out_of_scope("id", "course"));
            };
            if !options.scope.covers(row.provider_id) {
                return Err(out_of_scope("id", "course"));
            }
            change(&mut record)?;
            if let Some(result) = self
                .retryable(&record, options, Some(row.version), attempt)
                .await
            {
                return result;
            }
        }
        unreachable!("the last attempt returns")
    }

    /// Creates or updates instances of course `id` by external id, keeping the others.
    pub async fn upsert_instances(
        &self,
        id: i32,
        instances: &[InstanceRecord],
        options: &WriteOptions,
    ) -> Result<(Outcome, i32), WriteError> {
        self.edit_course(id, options, |record| {
            for new in instances {
                match record
                    .instances
                    .iter_mut()
                    .find(|i| i.external_id == new.external_id)
                {
                    Some(old) => *old = new.clone(),
                    None => record.instances.push(new.clone()),
                }
            }
            Ok(())
        })
        .await
    }

    /// Deletes instance `id` from its course.
    pub async fn delete_instance(
        &self,
        id: i32,
        options: &WriteOptions,
    ) -> Result<(Outcome, i32), WriteError> {
        let Some(instance) = self.instances_by_ids(&[id]).await?.remove(&id) else {
            return Err(invalid("id", NOT_FOUND, "no such course instance"));
        };
        let external_id = instance.external_id.clone();
        self.edit_course(instance.course_id, options, |record| {
            record.instances.retain(|i| i.external_id != external_id);
            Ok(())
        })
        .await
    }

    /// Moves course `id` to `state` along the workflow; publishing checks completeness.
    pub async fn set_course_state(
        &self,
        id: i32,
        state: PublicationState,
        options: &WriteOptions,
    ) -> Result<(Outcome, i32), WriteError> {
        let row = self.courses_by_ids(&[id]).await?.remove(&id);
        // Scope first: another organisation's course is not found, whatever
        // version was expected.
        if row
            .as_ref()
            .is_none_or(|r| !options.scope.covers(r.provider_id))
        {
            return Err(out_of_scope("id", "course"));
        }
        if let (Some(expected), Some(row)) = (options.expected_version, row) {
            if row.state != state.code() {
                check_version(Some(expected), Some(row.version))?;
            }
        }
        self.edit_course(id, options, |record| {
            record.state = state;
            match state {
                PublicationState::Published => record.publish_at = None,
                PublicationState::Archived => record.archive_at = None,
                PublicationState::Draft => {}
            }
            Ok(())
        })
        .await
    }

    /// Publishes the drafts and archives the published courses whose time has
    /// come at `now`. A due draft that is not complete stays a draft.
    pub async fn apply_schedules(&self, now: DateTime<Utc>) -> Result<ScheduleReport, StoreError> {
        let mut report = ScheduleReport::default();
        let options = WriteOptions {
            actor: Actor::scheduler(),
            scope: Scope::Everything,
            expected_version: None,
        };
        for id in self.due_schedules(now).await? {
            let Some((_, record)) = self.course_record(id).await? else {
                continue;
            };
            let to = match record.state {
                PublicationState::Draft => PublicationState::Published,
                _ => PublicationState::Archived,
            };
            let moved = self.set_course_state(id, to, &options).await;
            if moved.is_ok() {
                crate::crash::point("scheduler-step");
            }
            match moved {
                Ok(_) if to == PublicationState::Published => {
                    report.published.push(record.external_id)
                }
                Ok(_) => report.archived.push(record.external_id),
                Err(WriteError::Invalid(errors)) => {
                    let reason = errors.iter().map(|e| e.to_string()).collect::<Vec<_>>();
                    report
                        .incomplete
                        .push((record.external_id, reason.join("; ")));
                }
                Err(WriteError::Store(e)) => return Err(e),
            }
        }
        Ok(report)
    }
}
