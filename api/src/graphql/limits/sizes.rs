//! How many items a list field can return, for the cost of what is selected
//! under it. Code-set lists are measured from the code sets themselves, so the
//! bound is the real one; other lists of a record are small and get a default.

use std::collections::HashMap;

use crate::codes::code_sets;
use crate::search::FacetSizes;

/// The assumed length of a list no entry below describes (translations,
/// locations, channels, enrolment periods, matched instances...).
pub const DEFAULT_LIST_SIZE: u64 = 10;

/// The largest number of items each list field can hold.
#[derive(Debug, Clone)]
pub struct ListSizes(HashMap<(&'static str, &'static str), u64>, FacetSizes);

impl ListSizes {
    /// Measured from the built-in code sets.
    pub fn measured() -> ListSizes {
        let codes = code_sets();
        let municipalities = codes.municipalities().len() as u64;
        let per_region = codes
            .regions()
            .iter()
            .map(|r| codes.municipalities_in_region(&r.code).len() as u64)
            .max()
            .unwrap_or(0);
        let fields = codes.fields().len() as u64;
        let children = codes
            .fields()
            .iter()
            .map(|f| {
                let parent = Some(f.code.as_str());
                codes
                    .fields()
                    .iter()
                    .filter(|c| c.parent.as_deref() == parent)
                    .count() as u64
            })
            .max()
            .unwrap_or(0);
        let mut sizes = HashMap::new();
        sizes.insert(("Query", "municipalities"), municipalities);
        sizes.insert(("Query", "regions"), codes.regions().len() as u64);
        sizes.insert(("Query", "fieldsOfEducation"), fields);
        sizes.insert(("Query", "languages"), codes.languages().len() as u64);
        sizes.insert(("Region", "municipalities"), per_region);
        sizes.insert(("FieldOfEducation", "children"), children);
        // Facets are charged at `search` for the values each asked facet
        // has in the index (`facet`), so their selection costs nothing more.
        sizes.insert(("SearchConnection", "facets"), 0);
        ListSizes(sizes, FacetSizes::default())
    }

    /// The same sizes, with facets counted by `facets`.
    pub fn with_facets(mut self, facets: FacetSizes) -> ListSizes {
        self.1 = facets;
        self
    }

    /// How many values the facet `name` (API name) can return now.
    pub fn facet(&self, name: &str) -> u64 {
        self.1.of(name)
    }

    /// The bound for `type_name.field`.
    pub fn of(&self, type_name: &str, field: &str) -> u64 {
        self.0
            .iter()
            .find(|((t, f), _)| *t == type_name && *f == field)
            .map_or(DEFAULT_LIST_SIZE, |(_, n)| *n)
    }
}
