#!/usr/bin/env python3
"""Writes the request bodies of the load scenarios, one JSON body per line,
for `oha -Z`: the development queries of bench/queries.json plus queries drawn
from the generated catalogue (words of its course names, some with a place),
filtered searches with facets, filtered listings, autocomplete prefixes, and
PostGraphile's equivalent of the listing.

    bench/bodies.py FEED.jsonl OUT_DIR
"""
import json
import random
import re
import sys

feed, out = sys.argv[1], sys.argv[2]
here = sys.path[0]
rng = random.Random(20261123)

dev = json.load(open(f"{here}/queries.json"))["queries"]
names, places = [], []
with open(feed, encoding="utf-8") as f:
    for i, line in enumerate(f):
        if rng.random() > 0.02:
            continue
        course = json.loads(line)
        if course.get("@type") != "Course":
            continue
        name = course["name"]
        name = name if isinstance(name, str) else name[0]["@value"]
        names.append(name)
        for inst in course["hasCourseInstance"]:
            loc = inst["location"]
            loc = loc[0] if isinstance(loc, list) else loc
            if loc.get("@type") == "Place":
                places.append((loc["containedInPlace"]["name"], loc["containedInPlace"]["identifier"]))
rng.shuffle(names)
generated = []
for name in names[:200]:
    words = [w for w in re.findall(r"[\wåäöÅÄÖ-]+", name.lower()) if len(w) >= 5]
    if not words:
        continue
    query = rng.choice(words)
    if places and rng.random() < 0.3:
        query += " " + rng.choice(places)[0]
    generated.append(query)
    if len(generated) == 60:
        break
queries = dev + generated
codes = sorted({code for _, code in places}) or ["091"]


def write(name, bodies):
    with open(f"{out}/{name}.jsonl", "w", encoding="utf-8") as f:
        for body in bodies:
            f.write(json.dumps(body, ensure_ascii=False) + "\n")


SEARCH = "query($q: String) { search(query: $q, first: 10) { totalCount nodes { externalId name } } }"
write("search", [{"query": SEARCH, "variables": {"q": q}} for q in queries])


def some_filter():
    choices = [
        lambda: {"municipalities": [rng.choice(codes)]},
        lambda: {"regions": [rng.choice(["01", "06", "08", "02", "17"])]},
        lambda: {"fieldsOfEducation": [rng.choice(["02", "023", "07", "09", "041", "10"])]},
        lambda: {"freeOnly": True},
        lambda: {"timesOfDay": ["EVENING"]},
        lambda: {"teachingModes": [rng.choice(["ONLINE", "ONSITE", "BLENDED"])]},
    ]
    f = {}
    for pick in rng.sample(choices, rng.choice([1, 1, 2])):
        f.update(pick())
    return f


FACETED = ("query($q: String, $filter: CourseFilter) { search(query: $q, filter: $filter, "
           "facets: [MUNICIPALITY, FIELD_OF_EDUCATION, TEACHING_MODE, TIME_OF_DAY, FREE], first: 10) "
           "{ totalCount nodes { externalId name } facets { facet values { value count } } } }")
write("search_filtered", [
    {"query": FACETED, "variables": {"q": None if i % 5 == 4 else q, "filter": some_filter()}}
    for i, q in enumerate(queries)
])

TYPES = [
    ("LIBERAL_ADULT_EDUCATION", "liberal_adult_education"),
    ("LANGUAGE_TRAINING", "language_training"),
    ("CONTINUING_EDUCATION", "continuing_education"),
    ("VOCATIONAL_QUALIFICATION", "vocational_qualification"),
    ("PART_OF_QUALIFICATION", "part_of_qualification"),
    ("OPEN_UAS_STUDIES", "open_uas_studies"),
    ("FURTHER_VOCATIONAL_QUALIFICATION", "further_vocational_qualification"),
    ("SPECIALIST_VOCATIONAL_QUALIFICATION", "specialist_vocational_qualification"),
    ("PREPARATORY_EDUCATION", "preparatory_education"),
    ("OPEN_UNIVERSITY_STUDIES", "open_university_studies"),
]
LISTING = ("query($first: Int, $filter: CourseFilter) { courses(filter: $filter, first: $first) "
           "{ totalCount nodes { externalId name provider { externalId name } "
           "instances(first: 5) { nodes { externalId startDate endDate price municipality { code } } } } } }")
write("listing", [{"query": LISTING, "variables": {"first": 20, "filter": {"educationTypes": [t]}}} for t, _ in TYPES])

PG_LISTING = ("query($type: String) { allCourses(condition: {state: \"published\", educationType: $type}, "
              "orderBy: [NAME_SORT_ASC, PRIMARY_KEY_ASC], first: 20) { totalCount nodes { externalId nameFi "
              "organisationByProviderId { externalId nameFi } "
              "courseInstancesByCourseId(first: 5, orderBy: [POSITION_ASC]) { nodes { externalId startDate endDate priceCents municipalityCode } } } } }")
write("postgraphile_listing", [{"query": PG_LISTING, "variables": {"type": code}} for _, code in TYPES])

prefixes = []
for q in queries:
    word = q.split()[0]
    for n in (3, 5):
        if len(word) >= n:
            prefixes.append(word[:n])
write("suggest", [{"query": "query($p: String!) { suggest(prefix: $p) { text kind } }", "variables": {"p": p}} for p in prefixes])
write("typename", [{"query": "{ __typename }"}])

DETAIL = """query($id: ID!) { node(id: $id) { ... on Course {
  id externalId identifier name description credential url duration keywords state version updatedAt
  nameTranslations { language value } descriptionTranslations { language value }
  credits { value unit } educationType audiences fieldsOfEducation { code name }
  languages { code name }
  provider { externalId name kind url email address { streetAddress postalCode locality }
             locations { externalId name municipality { code name region { code name } } } }
  funder { externalId name }
  instances(first: 20) { totalCount nodes {
    id externalId startDate endDate flexibleStart past teachingModes timesOfDay online onlineUrl
    price free fundingCategory applicationOpen enrolmentUrl capacity
    languages { code }
    schedule { weekdays startTime endTime repeatFrequency }
    enrolmentPeriods { starts ends openNow }
    location { externalId name address { streetAddress locality } municipality { name } }
    municipality { code name } } } } } }"""
with open(f"{out}/detail.graphql", "w", encoding="utf-8") as f:
    f.write(DETAIL)
print(f"{len(queries)} search queries ({len(generated)} generated), {len(prefixes)} prefixes, {len(codes)} municipalities", file=sys.stderr)
