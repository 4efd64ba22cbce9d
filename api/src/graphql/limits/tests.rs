use std::time::{Duration, Instant};

use async_graphql::parser::parse_query;
use async_graphql::Variables;

use super::*;

fn check(query: &str, variables: serde_json::Value) -> Result<Option<Analysis>, LimitError> {
    let types = TypeMap::from_sdl(&crate::graphql::sdl()).unwrap();
    let doc = parse_query(query).unwrap();
    analyze(
        &doc,
        None,
        &Variables::from_json(variables),
        &types,
        &ListSizes::measured(),
        &QueryLimits::default(),
    )
}

fn cost(query: &str) -> u64 {
    check(query, serde_json::json!({})).unwrap().unwrap().cost
}

#[test]
fn a_connection_costs_its_page_size_times_what_each_item_selects() {
    assert_eq!(cost("{ courses(first: 10) { nodes { name } } }"), 1 + 10);
    assert_eq!(
        cost("{ courses(first: 10) { totalCount pageInfo { hasNextPage } edges { cursor node { name provider { name } } } } }"),
        1 + 1 + 10 * 3
    );
    assert_eq!(cost("{ courses { nodes { name } } }"), 1 + 20);
}

#[test]
fn nested_connections_multiply() {
    let q = "{ courses(first: 5) { nodes { instances(first: 10) { nodes { externalId } } } } }";
    assert_eq!(cost(q), 1 + 5 * (1 + 1 + 10));
}

#[test]
fn page_sizes_come_from_variables_and_their_defaults() {
    let q = "query($n: Int = 7) { courses(first: $n) { nodes { name } } }";
    assert_eq!(
        check(q, serde_json::json!({})).unwrap().unwrap().cost,
        1 + 7
    );
    assert_eq!(
        check(q, serde_json::json!({"n": 50}))
            .unwrap()
            .unwrap()
            .cost,
        1 + 50
    );
}

#[test]
fn lists_cost_their_length_and_nodes_its_ids() {
    assert_eq!(cost("{ nodes(ids: [\"a\", \"b\", \"c\"]) { id } }"), 3);
    let regions = crate::codes::code_sets().regions().len() as u64;
    assert_eq!(cost("{ regions { code } }"), regions);
    assert_eq!(cost("{ __typename }"), 0);
}

#[test]
fn fragments_cost_what_they_select_where_they_are_spread() {
    let q = "{ courses(first: 5) { ...Page } } fragment Page on CourseConnection { nodes { ...C } } fragment C on Course { name provider { name } }";
    assert_eq!(cost(q), 1 + 5 * 2);
    let inline = "{ node(id: \"x\") { ... on Course { instances(first: 3) { nodes { id } } } } }";
    assert_eq!(cost(inline), 1 + 1 + 3);
}

#[test]
fn a_query_over_the_maximum_is_refused_with_its_cost() {
    let q = "{ courses(first: 100) { nodes { instances(first: 100) { nodes { externalId } } } } }";
    let e = check(q, serde_json::json!({})).unwrap_err();
    assert_eq!(
        e,
        LimitError::TooComplex {
            cost: 10201,
            max: 1000
        }
    );
    assert_eq!(e.code(), "QUERY_TOO_COMPLEX");
}

#[test]
fn fragment_cycles_are_refused_not_followed() {
    let q = "{ courses { nodes { ...A } } } fragment A on Course { provider { ...B } } fragment B on Organisation { courses { nodes { ...A } } }";
    let e = check(q, serde_json::json!({})).unwrap_err();
    assert!(matches!(e, LimitError::FragmentCycle { .. }), "{e}");
    assert!(e.to_string().contains("A → B → A"), "{e}");
}

#[test]
fn exponential_fragments_are_summarised_once_and_refused_quickly() {
    let mut q = String::from("{ ...F0 }\n");
    for i in 0..40 {
        q += &format!("fragment F{i} on Query {{ ...F{} ...F{} }}\n", i + 1, i + 1);
    }
    q += "fragment F40 on Query { __typename }";
    let started = Instant::now();
    let e = check(&q, serde_json::json!({})).unwrap_err();
    assert!(matches!(e, LimitError::TooManyFields { .. }), "{e}");
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn aliases_depth_and_directives_have_limits_of_their_own() {
    let aliases: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
    let e = check(&format!("{{ {aliases} }}"), serde_json::json!({})).unwrap_err();
    assert_eq!(e.code(), "TOO_MANY_ALIASES");
    let deep = "{ regions { ".to_string()
        + &"municipalities { region { ".repeat(8)
        + "code"
        + &" } }".repeat(8)
        + " } }";
    let e = check(&deep, serde_json::json!({})).unwrap_err();
    assert_eq!(e.code(), "QUERY_TOO_DEEP");
    let directives: String = (0..51).map(|_| "@skip(if: false) ").collect();
    let e = check(
        &format!("{{ __typename {directives} }}"),
        serde_json::json!({}),
    )
    .unwrap_err();
    assert_eq!(e.code(), "TOO_MANY_DIRECTIVES");
}

#[test]
fn the_full_introspection_query_of_graphiql_passes() {
    let analysis = check(include_str!("introspection.graphql"), serde_json::json!({}))
        .unwrap()
        .unwrap();
    assert_eq!(
        analysis.depth, 15,
        "nine nested `ofType`s under a field's argument"
    );
    assert!(analysis.cost < 100, "{analysis:?}");
    assert!(analysis.fields < 500, "{analysis:?}");
}

#[test]
fn introspection_that_nests_type_lists_is_refused() {
    let q = "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    let e = check(q, serde_json::json!({})).unwrap_err();
    assert!(
        matches!(e, LimitError::IntrospectionTooDeep { depth: 3, .. }),
        "{e}"
    );
}

#[test]
fn a_mutation_is_told_apart_from_a_query() {
    let a = check("mutation { __typename }", serde_json::json!({}))
        .unwrap()
        .unwrap();
    assert_eq!(a.kind, OperationKind::Mutation);
}

#[test]
fn search_facets_cost_one_result_per_facet_asked_for() {
    let q = "{ search(query: \"x\", facets: [MUNICIPALITY, FREE], first: 10) { nodes { name } facets { facet values { value } } } }";
    assert_eq!(cost(q), 1 + 10 + 2 * (1 + 40));
    let without = "{ search(first: 10) { facets { facet } } }";
    assert_eq!(cost(without), 1, "no facet asked for, none computed");
    // Asked for but not selected, facets are computed all the same.
    let unselected = "{ search(facets: [MUNICIPALITY, MUNICIPALITY], first: 10) { totalCount } }";
    assert_eq!(cost(unselected), 1 + (1 + 40));
}

#[test]
fn a_facet_counted_in_the_index_costs_its_values() {
    let types = TypeMap::from_sdl(&crate::graphql::sdl()).unwrap();
    let facets = crate::search::FacetSizes::default();
    facets.set(crate::search::Facet::Free, 2);
    facets.set(crate::search::Facet::Municipality, 7);
    let sizes = ListSizes::measured().with_facets(facets);
    let q = "{ search(facets: [MUNICIPALITY, FREE, LANGUAGE], first: 10) { nodes { name } facets { facet values { value count } } } }";
    let doc = parse_query(q).unwrap();
    let cost = analyze(
        &doc,
        None,
        &Variables::default(),
        &types,
        &sizes,
        &QueryLimits::default(),
    )
    .unwrap()
    .unwrap()
    .cost;
    assert_eq!(cost, 1 + 10 + (1 + 7) + (1 + 2) + (1 + 40));
}
