//! What resolvers take from the context.

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::Context;
use chrono::{DateTime, NaiveDate, Utc};

use super::loaders::StoreLoader;
use crate::domain::{Caller, Visibility};
use crate::store::Store;

/// Where "today" comes from: the clock in Finland, or a fixed day in tests.
#[derive(Debug, Clone, Copy, Default)]
pub enum Clock {
    #[default]
    Helsinki,
    Fixed(NaiveDate),
}

impl Clock {
    /// Today's date in Finland (application periods are in Finnish time).
    pub fn today(self) -> NaiveDate {
        match self {
            Clock::Helsinki => Utc::now()
                .with_timezone(&chrono_tz::Europe::Helsinki)
                .date_naive(),
            Clock::Fixed(day) => day,
        }
    }

    /// The present moment; noon in Finland on the fixed day in tests.
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::Helsinki => Utc::now(),
            Clock::Fixed(day) => day.and_hms_opt(10, 0, 0).expect("a valid time").and_utc(),
        }
    }
}

/// The store.
pub fn store<'a>(ctx: &Context<'a>) -> &'a Store {
    ctx.data_unchecked::<Store>()
}

/// The batching loader of this request.
pub fn loader<'a>(ctx: &Context<'a>) -> &'a DataLoader<StoreLoader, HashMapCache> {
    ctx.data_unchecked::<DataLoader<StoreLoader, HashMapCache>>()
}

/// Today, for filters computed at query time.
pub fn today(ctx: &Context<'_>) -> NaiveDate {
    ctx.data_unchecked::<Clock>().today()
}

/// Who is calling; anonymous unless the HTTP layer identified a key.
pub fn caller(ctx: &Context<'_>) -> Caller {
    ctx.data_opt::<Caller>().copied().unwrap_or_default()
}

/// What the caller may see: anonymous callers published content only, a
/// partner also its own organisation's, an administrator everything.
pub fn visibility(ctx: &Context<'_>) -> Visibility {
    caller(ctx).visibility()
}

/// The present moment, from the schema's clock.
pub fn now(ctx: &Context<'_>) -> DateTime<Utc> {
    ctx.data_unchecked::<Clock>().now()
}

/// The search service, to wake its worker after writes.
pub fn search<'a>(ctx: &Context<'a>) -> &'a std::sync::Arc<crate::search::service::SearchService> {
    ctx.data_unchecked::<std::sync::Arc<crate::search::service::SearchService>>()
}
