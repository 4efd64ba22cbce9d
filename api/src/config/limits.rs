//! The limits of the public endpoint, as settings: what one request may
//! ask for, and the default rate-limit bucket. The gate and the limiter
//! read them; they are here so that the configuration depends on nothing
//! above it.

/// The configured limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// The highest cost a single request may have.
    pub max_cost: u64,
    /// The deepest field nesting (GraphiQL's introspection query needs 15).
    pub max_depth: usize,
    /// The most aliases in one document.
    pub max_aliases: usize,
    /// The most fields selected once fragments are expanded.
    pub max_fields: u64,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits {
            max_cost: 1000,
            max_depth: 16,
            max_aliases: 30,
            max_fields: 500,
        }
    }
}

impl QueryLimits {
    /// Brackets may nest deeper than fields (arguments, input objects,
    /// inline fragments), but not without bound.
    pub fn max_brackets(&self) -> usize {
        self.max_depth * 2 + 16
    }
}

/// The default bucket: its size and how fast it refills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateConfig {
    /// Points a full bucket holds.
    pub capacity: u32,
    /// Points restored per second.
    pub restore_rate: u32,
}

impl Default for RateConfig {
    fn default() -> Self {
        RateConfig {
            capacity: 1000,
            restore_rate: 50,
        }
    }
}
