//! What resolvers take from the context.

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::Context;
use chrono::{NaiveDate, Utc};

use super::loaders::StoreLoader;
use crate::domain::Visibility;
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

/// What the caller may see. Anonymous callers see published content only.
pub fn visibility(_ctx: &Context<'_>) -> Visibility {
    Visibility::PublishedOnly
}
