//! Batched loads: whatever a page nests costs one statement per kind, not one
//! per item.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};

use crate::store::{CourseRow, InstanceRow, LocationRow, OrganisationRow, Store, StoreError};

/// Loads rows through the store.
pub struct StoreLoader {
    store: Store,
}

/// A loader for one request: it caches what the request has read, and merges
/// the keys of sibling fields into one statement. Connections feed it the
/// relations their selection asks for (see `prefetch`), so the usual nesting
/// costs one statement per relation whatever the timing.
pub fn loader(store: Store) -> DataLoader<StoreLoader, HashMapCache> {
    DataLoader::with_cache(StoreLoader { store }, tokio::spawn, HashMapCache::default())
}

/// An organisation by row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrganisationId(pub i32);
/// A location by row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LocationId(pub i32);
/// A course by row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CourseId(pub i32);
/// An instance by row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InstanceId(pub i32);
/// The instances of a course, by course row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InstancesOf(pub i32);
/// The locations of an organisation, by organisation row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LocationsOf(pub i32);

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<StoreError>>;

fn rekey<K: Copy + Eq + std::hash::Hash, V>(
    rows: HashMap<i32, V>,
    key: fn(i32) -> K,
) -> HashMap<K, V> {
    rows.into_iter().map(|(id, v)| (key(id), v)).collect()
}

impl Loader<OrganisationId> for StoreLoader {
    type Value = OrganisationRow;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[OrganisationId]) -> LoadResult<OrganisationId, OrganisationRow> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        Ok(rekey(
            self.store.organisations_by_ids(&ids).await?,
            OrganisationId,
        ))
    }
}

impl Loader<LocationId> for StoreLoader {
    type Value = LocationRow;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[LocationId]) -> LoadResult<LocationId, LocationRow> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        Ok(rekey(self.store.locations_by_ids(&ids).await?, LocationId))
    }
}

impl Loader<CourseId> for StoreLoader {
    type Value = CourseRow;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[CourseId]) -> LoadResult<CourseId, CourseRow> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        Ok(rekey(self.store.courses_by_ids(&ids).await?, CourseId))
    }
}

impl Loader<InstanceId> for StoreLoader {
    type Value = InstanceRow;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[InstanceId]) -> LoadResult<InstanceId, InstanceRow> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        Ok(rekey(self.store.instances_by_ids(&ids).await?, InstanceId))
    }
}

impl Loader<InstancesOf> for StoreLoader {
    type Value = Vec<InstanceRow>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[InstancesOf]) -> LoadResult<InstancesOf, Vec<InstanceRow>> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        Ok(rekey(
            self.store.instances_of_courses(&ids).await?,
            InstancesOf,
        ))
    }
}

impl Loader<LocationsOf> for StoreLoader {
    type Value = Vec<LocationRow>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[LocationsOf]) -> LoadResult<LocationsOf, Vec<LocationRow>> {
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        Ok(rekey(
            self.store.locations_of_organisations(&ids).await?,
            LocationsOf,
        ))
    }
}
