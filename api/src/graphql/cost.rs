//! `extensions.cost` of every response: what the request was estimated to
//! cost before it ran, what the response actually holds, and the caller's
//! bucket afterwards.

use async_graphql::Value;

/// The caller's bucket after the request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Throttle {
    pub maximum_available: u32,
    pub currently_available: u32,
    /// Points restored per second (a key limited to N points a minute
    /// restores N/60).
    pub restore_rate: f64,
}

/// The cost of one request.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CostReport {
    pub requested: u64,
    pub actual: u64,
    /// None when rate limiting is off.
    pub throttle: Option<Throttle>,
}

impl CostReport {
    /// As JSON for `extensions.cost`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "requestedQueryCost": self.requested,
            "actualQueryCost": self.actual,
            "throttleStatus": self.throttle.map(|t| serde_json::json!({
                "maximumAvailable": t.maximum_available,
                "currentlyAvailable": t.currently_available,
                "restoreRate": rate_json(t.restore_rate),
            })),
        })
    }
}

/// A whole rate as an integer (`50`), a fractional one to three decimals.
fn rate_json(rate: f64) -> serde_json::Value {
    if rate.fract() == 0.0 && rate <= f64::from(u32::MAX) {
        serde_json::json!(rate as u64)
    } else {
        serde_json::json!((rate * 1000.0).round() / 1000.0)
    }
}

/// The work a request did beyond the objects it returns, in points: engine
/// searches with the facet values they computed, database queries of
/// listings, records of an imported feed. Resolvers add to it; the actual
/// cost is the larger of this and the objects returned.
#[derive(Debug, Clone, Default)]
pub struct Work(std::sync::Arc<std::sync::atomic::AtomicU64>);

/// Records of a feed per point of `importFeed`'s cost.
pub const RECORDS_PER_POINT: u64 = 10;

impl Work {
    /// Adds `points`.
    pub fn add(&self, points: u64) {
        self.0
            .fetch_add(points, std::sync::atomic::Ordering::Relaxed);
    }

    /// The points so far.
    pub fn points(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Adds `points` to the request's work, when it is metered.
pub fn worked(ctx: &async_graphql::Context<'_>, points: u64) {
    if let Some(work) = ctx.data_opt::<Work>() {
        work.add(points);
    }
}

/// The actual cost: the objects `data` holds or the work done, whichever
/// is more, never more than was requested.
pub fn actual_cost_of(data: &Value, work: u64, requested: u64) -> u64 {
    actual_cost(data, requested).max(work.min(requested))
}

/// The cost of what `data` holds, by the same rule as the static cost (every
/// object 1, scalars nothing), never more than was requested.
pub fn actual_cost(data: &Value, requested: u64) -> u64 {
    let mut objects: u64 = 0;
    let mut pending: Vec<&Value> = match data {
        Value::Object(root) => root.values().collect(),
        _ => Vec::new(),
    };
    while let Some(value) = pending.pop() {
        match value {
            Value::Object(fields) => {
                objects += 1;
                pending.extend(fields.values());
            }
            Value::List(items) => pending.extend(items.iter()),
            _ => {}
        }
    }
    objects.min(requested)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actual_cost_counts_the_objects_returned() {
        let data = Value::from_json(serde_json::json!({
            "courses": { "totalCount": 2, "nodes": [{ "name": "a" }, { "name": "b", "provider": { "name": "p" } }] },
            "__typename": "Query"
        }))
        .unwrap();
        assert_eq!(actual_cost(&data, 100), 4);
        assert_eq!(actual_cost(&data, 3), 3);
        assert_eq!(actual_cost(&Value::Null, 10), 0);
    }
}
